"""Pick the E/M code: by MDM and by documented total time, the higher supported level wins."""

from __future__ import annotations

from emcoder.encounter import Encounter, Payer
from emcoder.results import AddOn, EMRecommendation, MDMResult, TimeResult
from emcoder.rules.loader import RuleSet
from emcoder.rules.schema import EmCode, Family

# Payers that follow Medicare's prolonged-service codes; everyone else follows CPT. [?] in the
# fact sheet for Medicaid/other: configurable by passing `medicare_like_payers`.
DEFAULT_MEDICARE_LIKE = frozenset({Payer.medicare})


def find_family(encounter: Encounter, rules: RuleSet) -> Family | None:
    if encounter.setting is None:
        return None
    for family in rules.families.families:
        if encounter.setting.value not in family.settings:
            continue
        if family.patient is not None:
            patient = encounter.patient.value if encounter.patient else "established"
            if family.patient != patient:
                continue
        if family.medicare_family and encounter.payer in DEFAULT_MEDICARE_LIKE:
            return next((f for f in rules.families.families if f.id == family.medicare_family), family)
        return family
    return None


def code_for_mdm(family: Family, mdm_level: str) -> EmCode | None:
    for code in family.codes:
        if mdm_level in code.mdm:
            return code
    return None


def _rank(family: Family, code: EmCode | None) -> int:
    return -1 if code is None else family.codes.index(code)


def code_for_time(family: Family, minutes: int | None) -> EmCode | None:
    """Highest code whose time band the documented total meets; None when time cannot be used."""
    if not family.time_allowed:
        return None
    if family.time_only:
        for code in family.codes:
            low = code.min_minutes or 0
            high = code.max_minutes if code.max_minutes is not None else 10**6
            if minutes is None and code.max_minutes is not None:
                return code  # no time stated: the lowest band (e.g. discharge 99238)
            if minutes is not None and low <= minutes <= high:
                return code
        return None
    if minutes is None:
        return None
    best = None
    for code in family.codes:
        if code.min_minutes is not None and minutes >= code.min_minutes:
            best = code
    return best


def prolonged_addons(family: Family, primary: EmCode, minutes: int, payer: Payer | None,
                     medicare_like: frozenset[Payer] = DEFAULT_MEDICARE_LIKE) -> tuple[AddOn, ...]:
    """Prolonged-service units: one per full 15 minutes from the payer's first-unit threshold."""
    scheme = "medicare" if (payer or Payer.commercial) in medicare_like else "commercial"
    rule = family.prolonged.get(scheme)
    if rule is None or rule.base_code != primary.code or minutes < rule.first_unit_at:
        return ()
    units = 1 + (minutes - rule.first_unit_at) // rule.unit_minutes
    return (AddOn(code=rule.code, units=units, description=rule.description,
                  rule_id=f"em.prolonged.{family.id}.{scheme}"),)


def recommend(encounter: Encounter, mdm: MDMResult, time: TimeResult, rules: RuleSet) -> tuple[
        EMRecommendation, TimeResult]:
    """The recommended code and the time result completed with its time-based code and add-ons."""
    family = find_family(encounter, rules)
    if family is None:
        return EMRecommendation(code=None, basis=None, family=None, mdm_code=None, time_code=None,
                                reason="no E/M code family matches the encounter setting"), time
    mdm_code = None if family.time_only else code_for_mdm(family, mdm.level)
    time_code = code_for_time(family, time.total_minutes)
    addons: tuple[AddOn, ...] = ()
    if time_code is not None and time.total_minutes is not None:
        addons = prolonged_addons(family, time_code, time.total_minutes, encounter.payer)
    if not family.time_allowed:
        time_note = f"time does not count for {family.id} codes (MDM only)"
    elif time.total_minutes is None:
        time_note = "no total time on the date of the encounter is documented"
    elif time_code is None:
        time_note = f"{time.total_minutes} minutes is below the lowest time threshold"
    else:
        time_note = f"{time.total_minutes} minutes supports {time_code.code}"
    time = time.model_copy(update={
        "code": time_code.code if time_code else None, "prolonged": addons,
        "allowed": family.time_allowed, "note": time_note,
    })
    if family.time_only:
        chosen, basis = time_code, "time"
        reason = f"{family.id} is selected by time: {time_note}"
    elif _rank(family, time_code) > _rank(family, mdm_code):
        chosen, basis = time_code, "time"
        reason = (f"documented total time ({time.total_minutes} min) supports {time_code.code}, "  # type: ignore[union-attr]
                  f"higher than MDM ({mdm.level}, {mdm_code.code if mdm_code else 'none'})")
    else:
        chosen, basis = mdm_code, "mdm"
        reason = f"MDM {mdm.level} (2 of 3: problems {mdm.problems.level}, data {mdm.data.level}, " \
                 f"risk {mdm.risk.level}); {time_note}"
    return EMRecommendation(
        code=chosen.code if chosen else None, basis=basis if chosen else None, family=family.id,  # type: ignore[arg-type]
        mdm_code=mdm_code.code if mdm_code else None, time_code=time_code.code if time_code else None,
        reason=reason, rule_id=f"em.family.{family.id}",
    ), time


def describe(code: str, rules: RuleSet) -> str:
    for family in rules.families.families:
        for c in family.codes:
            if c.code == code:
                return c.description
    return ""
