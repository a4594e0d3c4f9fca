"""Which webhook URLs the notifier agrees to call (SSRF protection)."""

import pytest
from microcred_notifier.domain.urls import UrlRefused, check_addresses, parse_webhook_url


def test_a_public_https_url_is_accepted_with_its_origin() -> None:
    target = parse_webhook_url("https://sis.example.edu/hooks", allow_private=False)
    assert target.origin == "sis.example.edu:443"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://sis.example.edu/hooks", "https"),
        ("ftp://sis.example.edu/hooks", "https"),
        ("https://user:pw@sis.example.edu/", "credentials"),
        ("https:///no-host", "no host"),
        ("https://localhost/hooks", "local name"),
        ("https://printer.local/hooks", "local name"),
        ("https://127.0.0.1/hooks", "non-public"),
        ("https://10.1.2.3/hooks", "non-public"),
        ("https://192.168.0.10/hooks", "non-public"),
        ("https://169.254.169.254/latest/meta-data", "non-public"),
        ("https://[::1]/hooks", "non-public"),
        ("https://[::ffff:127.0.0.1]/hooks", "non-public"),
        ("https://0.0.0.0/hooks", "non-public"),
        ("https://sis.example.edu:99999/hooks", "port"),
    ],
)
def test_unsafe_urls_are_refused_with_a_reason(url: str, reason: str) -> None:
    with pytest.raises(UrlRefused, match=reason):
        parse_webhook_url(url, allow_private=False)


def test_development_allows_plain_http_to_a_loopback_receiver() -> None:
    target = parse_webhook_url("http://127.0.0.1:8765/hook", allow_private=True)
    assert target.origin == "127.0.0.1:8765"


@pytest.mark.parametrize(
    "addresses",
    [["93.184.216.34", "10.0.0.5"], ["fe80::1"], ["fd00::1"], ["224.0.0.1"], ["100.64.0.1"]],
)
def test_a_host_resolving_to_any_non_public_address_is_refused(addresses: list[str]) -> None:
    with pytest.raises(UrlRefused, match="non-public"):
        check_addresses(addresses, allow_private=False)


def test_a_host_resolving_only_to_public_addresses_passes() -> None:
    check_addresses(["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"], allow_private=False)


def test_a_host_that_resolves_to_nothing_is_refused() -> None:
    with pytest.raises(UrlRefused, match="no address"):
        check_addresses([], allow_private=True)
