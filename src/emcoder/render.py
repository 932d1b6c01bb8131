"""Render an `Analysis` as plain text for the terminal: readable in a few seconds."""

from __future__ import annotations

from emcoder.results import Analysis, ElementScore, MDMItem

WIDTH = 96


def _clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _item_line(item: MDMItem) -> str:
    ev = item.evidence[0] if item.evidence else None
    where = f"[{ev.section or '-'} {ev.start}-{ev.end}]" if ev else ""
    mark = "+" if item.counted else "-"
    line = f"   {mark} {item.id} {item.label:<28} {where} \"{_clip(ev.text, 60) if ev else ''}\""
    if not item.counted and item.not_counted_reason:
        line += f"\n        not counted: {item.not_counted_reason}"
    return line


def _element(score: ElementScore, items: list[MDMItem]) -> list[str]:
    lines = [f" {score.element.upper():<9} {score.level.upper():<10} {score.reason}"]
    lines += [_item_line(i) for i in items]
    if score.next_level and score.to_next_level:
        lines.append(f"   next level ({score.next_level}): {score.to_next_level}")
    return lines


def render_text(a: Analysis) -> str:
    enc = a.encounter
    out = [
        "=" * WIDTH,
        f" Recommended E/M: {a.em.code or 'none'}"
        + (f"  (by {a.em.basis.upper()})" if a.em.basis else ""),
        f" Why: {a.em.reason}",
    ]
    if a.em.no_em_reason:
        out.append(f" No billable E/M: {a.em.no_em_reason}")
    out.append(f" Encounter: setting={enc.setting.value if enc.setting else '?'} "
               f"patient={enc.patient.value if enc.patient else '-'} payer={enc.payer.value if enc.payer else '?'}"
               f" date={enc.date_of_service or '-'}")
    for w in a.warnings:
        out.append(f" ! {w}")
    out.append("-" * WIDTH)
    out.append(f" MDM: {a.mdm.level.upper()} (2 of 3: problems {a.mdm.problems.level}, data {a.mdm.data.level},"
               f" risk {a.mdm.risk.level})")
    for score, element in ((a.mdm.problems, "problem"), (a.mdm.data, "data"), (a.mdm.risk, "risk")):
        out += _element(score, [i for i in a.items if i.element == element])
    out.append("-" * WIDTH)
    t = a.time
    if t.total_minutes is None:
        out.append(f" TIME: {t.note}")
    else:
        ev = t.evidence[0] if t.evidence else None
        out.append(f" TIME: {t.total_minutes} min -> {t.code or 'no time-based code'}; {t.note}")
        if ev:
            out.append(f"   [{ev.section or '-'} {ev.start}-{ev.end}] \"{_clip(ev.text, 70)}\"")
        if t.activities:
            out.append(f"   activities: {', '.join(t.activities)}")
        for addon in t.prolonged:
            out.append(f"   add-on {addon.code} x{addon.units}: {addon.description}")
    out.append("-" * WIDTH)
    out.append(" CPT/HCPCS: " + (", ".join(c.billed_as for c in a.cpt) or "none"))
    out.append(f" rules {a.ruleset_version} ({a.ruleset_sha256[:12]}), emcoder {a.emcoder_version}."
               " Suggestions only: a coder must accept each one before release.")
    out.append("=" * WIDTH)
    return "\n".join(out)
