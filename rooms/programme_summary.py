"""A programme's summary (JSON and Markdown, fi/sv/en): its phases, its events with their
feedback polls, the trend of each question across events, the follow-up polls, and how
many groups met. It never holds what a group wrote, nor anyone's answer."""

from __future__ import annotations

from collections.abc import Sequence

from . import programmes
from .summary import escape

Value = programmes.Value
TEXTS: dict[str, dict[str, str]] = {
    "phases": {"fi": "Vaiheet", "sv": "Faser", "en": "Phases"},
    "events": {"fi": "Tapahtumat", "sv": "Evenemang", "en": "Events"},
    "trend": {
        "fi": "Kehitys tapahtumasta toiseen",
        "sv": "Utvecklingen mellan evenemangen",
        "en": "Trend across events",
    },
    "followups": {"fi": "Seurantakyselyt", "sv": "Uppföljningsenkäter", "en": "Follow-up polls"},
    "groups": {"fi": "Ryhmät", "sv": "Grupper", "en": "Groups"},
    "answers": {"fi": "vastausta", "sv": "svar", "en": "answers"},
    "mean": {"fi": "keskiarvo", "sv": "medelvärde", "en": "mean"},
    "change": {"fi": "muutos", "sv": "förändring", "en": "change"},
    "met": {
        "fi": "{met}/{count} ryhmää on tavannut, yhteensä {meetings} kertaa",
        "sv": "{met}/{count} grupper har träffats, sammanlagt {meetings} gånger",
        "en": "{met} of {count} groups have met, {meetings} times in all",
    },
    "none": {"fi": "ei vielä", "sv": "inte ännu", "en": "none yet"},
}


def build(data: Value, event_polls: Sequence[tuple[Value, list[Value]]], language: str) -> Value:
    """`event_polls`: each event of the timeline with the polls its control document holds."""
    pairs = [(item, poll) for item, polls in event_polls for poll in polls]
    groups = data["groups"]
    return {
        "id": data["id"],
        "title": data["title"],
        "language": language,
        "phases": [p["title"] for p in data["phases"]],
        "events": [
            {
                "session_id": item["session_id"],
                "title": item["title"],
                "date": item.get("date"),
                "polls": [_poll(p, language) for p in polls if p.get("results") is not None],
            }
            for item, polls in event_polls
        ],
        "trend": programmes.trend(pairs, language),
        "followups": [programmes.followup_result(p) for p in data["followups"]],
        "groups": {
            "count": len(groups),
            "met": sum(1 for g in groups if g["meetings"]),
            "meetings": sum(len(g["meetings"]) for g in groups),
        },
    }


def _poll(poll: Value, language: str) -> Value:
    outcome = poll.get("results") or {}
    return {
        "question": (poll.get("questions") or {}).get(language) or poll.get("question"),
        "kind": poll.get("kind"),
        "preset": poll.get("preset"),
        "answers": int(poll.get("answers") or 0),
        "counts": outcome.get("counts"),
        "mean": outcome.get("mean"),
    }


def markdown(summary: Value) -> str:
    lang = summary["language"]

    def t(key: str) -> str:
        return TEXTS[key][lang]

    lines = [f"# {escape(summary['title'])}", "", f"## {t('phases')}", ""]
    lines += [f"{i}. {escape(p)}" for i, p in enumerate(summary["phases"], start=1)]
    lines += ["", f"## {t('events')}", ""]
    for event in summary["events"]:
        when = f" ({escape(event['date'])})" if event.get("date") else ""
        lines.append(f"- **{escape(event['title'])}**{when}")
        for poll in event["polls"]:
            mean = "" if poll["mean"] is None else f", {t('mean')} {poll['mean']}"
            question = escape(str(poll["question"]))
            lines.append(f"  - {question}: {poll['answers']} {t('answers')}{mean}")
    lines += ["", f"## {t('trend')}", ""]
    if not summary["trend"]:
        lines.append(t("none"))
    for item in summary["trend"]:
        points = " → ".join(f"{p['mean']}" for p in item["points"])
        change = "" if item["change"] is None else f" ({t('change')} {item['change']:+})"
        lines.append(f"- {escape(str(item['question']))}: {points}{change}")
    lines += ["", f"## {t('followups')}", ""]
    if not summary["followups"]:
        lines.append(t("none"))
    for poll in summary["followups"]:
        mean = "" if poll["mean"] is None else f", {t('mean')} {poll['mean']}"
        lines.append(f"- {escape(poll['question'])}: {poll['answers']} {t('answers')}{mean}")
    groups = summary["groups"]
    lines += ["", f"## {t('groups')}", "", t("met").format(**groups), ""]
    return "\n".join(lines)
