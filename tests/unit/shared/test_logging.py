"""Service logs: JSON lines in which no e-mail address survives, whoever logged it."""

import json
import logging

import pytest
import uvicorn.config
from microcred_shared.logging import configure_logging, get_logger


def lines(err: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in err.splitlines() if line.strip()]


def test_an_email_address_is_redacted_from_every_field_and_every_kind_of_record(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("unit")
    try:
        raise ValueError("no credential for ada.brennan@learners.example")
    except ValueError as error:
        get_logger("unit").warning("handler failed", error=repr(error), ids=["bo@l.example", 3])
        logging.getLogger("library").exception("failed for chen.mei@learners.example")
    logging.getLogger("uvicorn.access").info('"GET %s" 200', "/x?who=dara%40learners.example")

    err = capsys.readouterr().err
    assert len(lines(err)) == 3
    assert "learners.example" not in err
    assert "bo@l.example" not in err
    assert "[e-mail address]" in lines(err)[0]["error"]  # type: ignore[operator]
    assert lines(err)[0]["ids"] == ["[e-mail address]", 3]
    assert lines(err)[1]["event"] == "failed for [e-mail address]"
    assert "ValueError: no credential for [e-mail address]" in str(lines(err)[1]["exception"])


def test_a_structlog_exception_keeps_its_traceback_redacted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("unit")
    try:
        raise KeyError("bo.lindqvist@learners.example")
    except KeyError:
        get_logger("unit").exception("unhandled error", path="/completions")

    [record] = lines(capsys.readouterr().err)
    assert "Traceback (most recent call last)" in str(record["exception"])
    assert "KeyError: '[e-mail address]'" in str(record["exception"])
    assert "learners.example" not in json.dumps(record)


def test_uvicorns_own_logging_config_applied_earlier_does_not_bypass_the_redaction(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # What any uvicorn.Config does to the process (an embedded server in a test, for one): its
    # loggers get handlers of their own, stop propagating, take its level, may be disabled.
    uvicorn.config.Config(app=None, log_level="warning", access_log=False)
    configure_logging("unit")

    logging.getLogger("uvicorn.access").info('"GET %s" 200', "/x?who=dara%40learners.example")

    [line] = lines(capsys.readouterr().err)
    assert "dara" not in json.dumps(line)
