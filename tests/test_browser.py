"""A real browser opens the rendered sample report from disk, with the network unusable.

Headless Chromium is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``:
no port, no websocket library) by ``kit.report.pdf.Browser``, the driver ``kit render --pdf``
uses. Every request the page makes is seen as a ``Network.requestWillBeSent`` event, every console error or uncaught exception as a
``Runtime``/``Log`` event. A negative test proves the detector catches both on a page that
has an external image and a console error.
"""
from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
import pytest

from kit.report.pdf import Browser
from render_helpers import rendered


def visit(exe: str, url: str, tmp: Path, shot: Path) -> dict:
    """Open ``url``; return the requests, console errors, page text, image and chart state and a screenshot."""
    browser = Browser(exe, tmp / "profile")
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Network", "Runtime", "Log", "Page"):
            browser.send(f"{domain}.enable", session=session)
        browser.send("Emulation.setDeviceMetricsOverride",
                     {"width": 1280, "height": 1800, "deviceScaleFactor": 1, "mobile": False}, session=session)
        browser.send("Page.navigate", {"url": url}, session=session)
        browser.wait_for("Page.loadEventFired")
        browser.drain(1.0)  # late requests (images, fonts) and console messages
        text = browser.send("Runtime.evaluate", {"expression": "document.body.innerText", "returnByValue": True},
                            session=session)["result"]["value"]
        images = browser.send(
            "Runtime.evaluate",
            {"expression": "Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight])",
             "returnByValue": True}, session=session)["result"]["value"]
        charts = browser.send(
            "Runtime.evaluate",
            {"expression": "Array.from(document.querySelectorAll('svg.kit-chart')).map(s => "
                           "[s.getBoundingClientRect().width, s.getBoundingClientRect().height, "
                           "s.querySelectorAll('text').length, s.querySelectorAll('rect').length])",
             "returnByValue": True}, session=session)["result"]["value"]
        png = base64.b64decode(browser.send("Page.captureScreenshot", {"format": "png"}, session=session)["data"])
        shot.write_bytes(png)
        browser.drain(0.2)
    finally:
        browser.close()
    requests = [e["params"]["request"]["url"] for e in browser.events if e.get("method") == "Network.requestWillBeSent"]
    errors = []
    for e in browser.events:
        m, p = e.get("method"), e.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
        elif m == "Runtime.exceptionThrown":
            errors.append(p.get("exceptionDetails", {}).get("text", "exception"))
        elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            errors.append(p["entry"].get("text", ""))
    return {"requests": requests, "errors": errors, "text": text, "images": images, "charts": charts}


def non_white_fraction(png: Path) -> float:
    from PIL import Image

    a = np.asarray(Image.open(png).convert("L"))
    return float((a < 240).mean())


def external(requests: list[str]) -> list[str]:
    return [u for u in requests if not (u.startswith("file://") or u.startswith("data:"))]


def test_detector_catches_external_request_and_console_error(chromium, tmp_path):
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html lang="zh"><body><p>中文</p>'
        '<img src="https://example.com/tracker.png"><script>console.error("出错了")</script></body></html>',
        encoding="utf-8",
    )
    seen = visit(chromium, page.as_uri(), tmp_path, tmp_path / "bad.png")
    assert any(u.startswith("https://example.com/") for u in external(seen["requests"])), seen["requests"]
    assert any("出错了" in e for e in seen["errors"]), seen["errors"]


@pytest.mark.kernel
def test_sample_report_in_browser(chromium, tmp_path_factory, tmp_path):
    result = rendered(tmp_path_factory.getbasetemp(), "sample")
    shot = tmp_path / "report.png"
    seen = visit(chromium, result.html.as_uri(), tmp_path, shot)
    assert external(seen["requests"]) == [], "报告页面向外发出了请求"
    assert seen["errors"] == [], "控制台有错误"
    for text in ("深圳市龙岗中心医院", "概览", "预算收支", "评分复核", "问题清单"):
        assert text in seen["text"]
    # The three charts are laid out at a readable size, with their texts and bars.
    charts = seen["charts"]
    assert len(charts) == 3 and all(w > 500 and h > 200 and texts > 10 and rects > 5 for w, h, texts, rects in charts), charts
    assert "部门预算：年初批复、调整后与年末执行" in seen["text"]  # chart text is page text
    assert shot.stat().st_size > 10_000
    assert non_white_fraction(shot) > 0.02, "截图几乎全白"
