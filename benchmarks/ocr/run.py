"""OCR benchmark: character error rate on the error lines, FAQ top-1 from the picture alone
against the typed message, and time per picture, on the set made by benchmarks.ocr.generate.

    .venv/bin/python -m benchmarks.ocr.run [--set benchmarks/results/ocr-set] [--limit N] [--json out.json]

Per picture, as the bot does it (bot.ocr.recognise: prepare, Tesseract on one core, mask):
* CER (lines): each true line of the message against the closest recognised line of the whole
  screen, edit distance over the true characters — how well the message was read;
* CER (extracted): the message against the error lines the bot keeps, joined — what staff and the
  FAQ see, so a missed or an extra line counts too;
* FAQ top-1: the topic the bot answers or offers first, from the error lines alone and from the
  message typed;
* leaks: a CCCD or phone number drawn on the screen still readable in the kept text;
* time: wall seconds per picture, and CPU seconds (this process and Tesseract, which runs on one
  thread): the cost on one core even when the machine is busy.
Goals (issue #21): CER ≤ 5 % screenshots, ≤ 15 % photos; picture top-1 ≥ 0.8 × typed; p95 ≤ 2 s.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sys
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from benchmarks.ocr.generate import DEFAULT_OUT, build
from bot.ocr import tesseract
from bot.ocr.recognise import recognise
from handlers.directory import KnowledgeBaseFaq
from handlers.services import FaqSuggestion


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def cer_lines(truth: list[str], text: str) -> tuple[int, int]:
    lines = [_norm(line) for line in text.splitlines() if line.strip()] or [""]
    errors = sum(min(Levenshtein.distance(_norm(t), line) for line in lines) for t in truth)
    return errors, sum(len(_norm(t)) for t in truth)


def top1(suggestion: FaqSuggestion) -> str | None:
    if suggestion.topic is not None:
        return suggestion.topic.id
    return suggestion.candidates[0].id if suggestion.candidates else None


def _cpu() -> float:
    """CPU seconds of this process and its finished children (Tesseract): the time a picture costs
    on one core, whatever else the machine is doing (wall time is reported too)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(set_dir: Path, limit: int | None = None) -> dict:
    truth_file = set_dir / "truth.jsonl"
    if not truth_file.exists():
        build(set_dir)
    truths = [json.loads(line) for line in truth_file.read_text(encoding="utf-8").splitlines()]
    truths = truths[:limit] if limit else truths
    faq = KnowledgeBaseFaq()
    rows = []
    for truth in truths:
        data = (set_dir / f"{truth['name']}.jpg").read_bytes()
        cpu_before = _cpu()
        seen = recognise(data)
        cpu = _cpu() - cpu_before
        errors, chars = cer_lines(truth["error_lines"], seen.text)
        extracted = " ".join(seen.error_lines)
        message = " ".join(truth["error_lines"])
        leaks = [p for p in truth["pii"] if p in re.sub(r"[ .]", "", seen.text)]
        rows.append(
            {
                "name": truth["name"],
                "kind": truth["kind"],
                "layout": truth["layout"],
                "topic": truth["topic"],
                "errors": errors,
                "chars": chars,
                "extract_errors": Levenshtein.distance(_norm(message), _norm(extracted)),
                "picture_top1": top1(faq.suggest(extracted)) if extracted else None,
                "typed_top1": top1(faq.suggest(truth["message"])),
                "seconds": seen.seconds,
                "cpu_seconds": cpu,
                "leaks": len(leaks),
                "error_lines": seen.error_lines,
            }
        )
        print(
            f"{truth['name']:40s} {errors / chars:6.1%} {seen.seconds:5.2f}s "
            f"{'✓' if rows[-1]['picture_top1'] == truth['topic'] else '✗'}",
            file=sys.stderr,
        )
    return summarise(rows)


def summarise(rows: list[dict]) -> dict:
    def group(kind: str | None) -> dict:
        part = [r for r in rows if kind is None or r["kind"] == kind]
        if not part:
            return {}
        chars = sum(r["chars"] for r in part)
        times = [r["seconds"] for r in part]
        typed = sum(r["typed_top1"] == r["topic"] for r in part)
        picture = sum(r["picture_top1"] == r["topic"] for r in part)
        return {
            "pictures": len(part),
            "cer_lines": round(sum(r["errors"] for r in part) / chars, 4),
            "cer_extracted": round(sum(r["extract_errors"] for r in part) / chars, 4),
            "faq_top1_picture": round(picture / len(part), 3),
            "faq_top1_typed": round(typed / len(part), 3),
            "faq_ratio": round(picture / typed, 3) if typed else None,
            "seconds_p50": round(percentile(times, 0.5), 2),
            "seconds_p95": round(percentile(times, 0.95), 2),
            "cpu_seconds_p50": round(percentile([r["cpu_seconds"] for r in part], 0.5), 2),
            "cpu_seconds_p95": round(percentile([r["cpu_seconds"] for r in part], 0.95), 2),
            "pii_leaks": sum(r["leaks"] for r in part),
        }

    return {
        "screenshots": group("screenshot"),
        "photos": group("photo"),
        "all": group(None),
        "misses": [
            {k: r[k] for k in ("name", "topic", "picture_top1", "typed_top1", "error_lines")}
            for r in rows
            if r["picture_top1"] != r["topic"] and r["typed_top1"] == r["topic"]
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not tesseract.available():
        raise SystemExit(tesseract.INSTALL_HINT)
    result = run(args.set, args.limit)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
