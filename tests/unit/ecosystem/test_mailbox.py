"""The mail sink's log read back as e-mails, long links and all."""

from email.message import EmailMessage
from pathlib import Path

from microcred.ecosystem.mailbox import messages_to, wallet_links_to

LINK = "http://127.0.0.1:8002/wallet/open?token=" + "eyJhbGciOiJIUzI1NiJ9." + "x" * 160 + ".sig-_1"


def sink_entry(to: str, body: str, options: bool) -> str:
    """What aiosmtpd's Debugging handler prints for one message."""
    message = EmailMessage()
    message["From"] = "microcred <no-reply@microcred.example>"
    message["To"] = to
    message["Subject"] = "Your link"
    message.set_content(body)  # a line this long goes out quoted-printable
    headers, _, content = message.as_string().partition("\n\n")
    return "\n".join(
        [
            "---------- MESSAGE FOLLOWS ----------",
            *(["mail options: ['SIZE=1234', 'BODY=8BITMIME']", ""] if options else []),
            headers,
            "X-Peer: ('127.0.0.1', 40000)",
            "",
            content.rstrip("\n"),
            "------------ END MESSAGE ------------",
        ]
    )


def test_the_wallet_links_emailed_to_an_address_are_found_decoded(tmp_path: Path) -> None:
    log = tmp_path / "mailsink.log"
    log.write_text(
        "\n".join(
            [
                sink_entry("ada@example.org", f"Hello,\n\nYour link:\n{LINK}\n", options=True),
                sink_entry("grace@example.org", "Hello,\n\nNo link here.\n", options=False),
            ]
        )
        + "\n"
    )
    assert "=\n" in log.read_text()  # the link was really wrapped by the transfer encoding
    assert wallet_links_to(log, "ADA@example.org") == [LINK]
    assert wallet_links_to(log, "grace@example.org") == []
    assert len(messages_to(log, "grace@example.org")) == 1
    assert messages_to(tmp_path / "missing.log", "ada@example.org") == []
