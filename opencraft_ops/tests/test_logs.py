"""LOG_FORMAT=json: one JSON object a line, with the extras and the exception."""

from __future__ import annotations

import json
import logging
import sys

from opencraft_ops.logs import JsonFormatter


def test_json_lines_carry_level_logger_message_extras_and_exception() -> None:
    logger = logging.getLogger("opencraft_ops.test")
    try:
        raise ValueError("boom")
    except ValueError:
        record = logger.makeRecord(
            "opencraft_ops.test",
            logging.ERROR,
            __file__,
            1,
            "sync %s failed",
            ("tempo",),
            exc_info=sys.exc_info(),
            extra={"run_id": 7},
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "opencraft_ops.test"
    assert entry["message"] == "sync tempo failed" and entry["run_id"] == 7
    assert "ValueError: boom" in entry["exception"]
    assert entry["time"].endswith("+00:00")
