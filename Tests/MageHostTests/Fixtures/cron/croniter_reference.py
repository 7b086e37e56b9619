#!/usr/bin/env python3
"""Reference fire times from croniter for CronExpressionTests.

    croniter_reference.py SEED COUNT

Prints a JSON list of cases: a random 5-field expression (or macro), a time zone, a start instant (seconds
since 1970) and the next 3 fire times croniter gives after it (seconds since 1970), or null when croniter
finds none. Starts are drawn uniformly from 2024-2031, and near month ends and near each zone's DST
transitions, where the interesting cases are. `repeated` marks cases where croniter fires a wall time a
second time inside a repeated (fall-back) hour: SwiftMage fires each wall time once, at its first
occurrence, so those are compared by hand, not against croniter. `gap_end` marks the cases where croniter
passes a DST gap without firing (see skipped_gap).
"""
import json
import random
import sys
from datetime import datetime, timezone, timedelta
from zoneinfo import ZoneInfo

from croniter import croniter

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]
START = int(datetime(2024, 1, 1, tzinfo=timezone.utc).timestamp())
END = int(datetime(2031, 1, 1, tzinfo=timezone.utc).timestamp())
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]


def transitions(zone):
    """Instants where the zone's UTC offset changes, found every 3 hours then narrowed to the second."""
    z = ZoneInfo(zone)
    def offset(t):
        return datetime.fromtimestamp(t, z).utcoffset()
    found, t = [], START
    while t < END:
        if offset(t) != offset(t + 10800):
            low, high = t, t + 10800
            while high - low > 1:
                mid = (low + high) // 2
                if offset(mid) == offset(low):
                    low = mid
                else:
                    high = mid
            found.append(high)
        t += 10800
    return found


def atom(rng, low, high, names=None, name_offset=0):
    value = rng.randint(low, high)
    if names and rng.random() < 0.3 and 0 <= value - name_offset < len(names):
        name = names[value - name_offset]
        return rng.choice([name, name.lower(), name.capitalize()])
    return str(value)


def field(rng, low, high, names=None, name_offset=0, top=None):
    """One field: *, a value, a list, a range, */step, range/step."""
    top = high if top is None else top
    kind = rng.random()
    if kind < 0.3:
        return "*"
    if kind < 0.45:
        return atom(rng, low, top, names, name_offset)
    if kind < 0.6:
        return ",".join(atom(rng, low, top, names, name_offset) for _ in range(rng.randint(2, 4)))
    if kind < 0.88 and kind >= 0.75:
        return f"*/{rng.choice([1, 2, 3, 5, 7, 10, 15, 20, 30])}"
    # croniter 7 reads a one-value range (`8-8`, `6-6/1`) as `*`, a bug: ranges here span two values or more
    # (CronExpressionTests checks `8-8` by hand).
    a = rng.randint(low, top - 1)
    b = rng.randint(a + 1, top)
    return f"{a}-{b}" if kind < 0.75 else f"{a}-{b}/{rng.randint(1, 6)}"


def expression(rng):
    if rng.random() < 0.05:
        return rng.choice(["@hourly", "@daily", "@weekly", "@monthly", "@yearly", "@annually"])
    minute = field(rng, 0, 59)
    # Hours and days are kept coarse-ish so the next three fire times cross days, months and DST changes.
    hour = field(rng, 0, 23)
    if rng.random() < 0.2:
        dom = rng.choice(["29", "30", "31", "28-31", "29,30,31", "31", "1,15,31"])
    else:
        dom = field(rng, 1, 31)
    month = field(rng, 1, 12, MONTHS, 1)
    if rng.random() < 0.2 and dom not in ("*",):
        month = rng.choice(["2", "FEB", "feb", "2,3", "1-3"])
    dow = field(rng, 0, 6, DAYS, 0, top=rng.choice([6, 7]))
    return f"{minute} {hour} {dom} {month} {dow}"


def start_time(rng, zone, zone_transitions):
    kind = rng.random()
    if kind < 0.4 and zone_transitions:
        return rng.choice(zone_transitions) + rng.randint(-2 * 86400, 86400)
    if kind < 0.6:
        year, month = rng.randint(2024, 2030), rng.randint(1, 12)
        last = (datetime(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
        local = datetime(year, month, rng.randint(max(1, last - 3), last), rng.randint(0, 23), rng.randint(0, 59),
                         rng.randint(0, 59), tzinfo=ZoneInfo(zone))
        return int(local.timestamp())
    return rng.randint(START, END)


def skipped_gap(expr, z, start, instants, zone_transitions):
    """The end of a DST gap croniter passed without firing although the expression matches a wall time
    inside it, or None. croniter is not consistent there: `30 2 * * *` fires at the gap's end, `26 * * * *`
    drops 02:26. SwiftMage always fires once at the gap's end (the issue's rule: a gap skips to the next
    valid time), so for these cases the test expects croniter's times with the gap's end added."""
    for t in zone_transitions:
        if not (start < t <= instants[-1]) or t in instants:
            continue
        before, after = datetime.fromtimestamp(t - 1, z).utcoffset(), datetime.fromtimestamp(t, z).utcoffset()
        if after <= before:
            continue
        # The gap's wall times are [last wall time before t + 1 minute, wall time at t); on a naive
        # (zone-less) clock croniter says whether one of them matches.
        last = datetime.fromtimestamp(t - 1, z).replace(tzinfo=None, second=0)
        end = datetime.fromtimestamp(t, z).replace(tzinfo=None)
        if croniter(expr, last).get_next(datetime) < end:
            return t
    return None


def main():
    seed, count = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    zone_transitions = {zone: transitions(zone) for zone in ZONES}
    cases = []
    for _ in range(count):
        zone = rng.choice(ZONES)
        z = ZoneInfo(zone)
        expr = expression(rng)
        start = start_time(rng, zone, zone_transitions[zone])
        try:
            it = croniter(expr, datetime.fromtimestamp(start, z))
            fires = [it.get_next(datetime) for _ in range(3)]
        except Exception:  # croniter gives up on expressions that never fire (31 FEB)
            cases.append({"expr": expr, "zone": zone, "start": start, "next": None, "repeated": False, "gap_end": None})
            continue
        instants = [int(f.timestamp()) for f in fires]
        # A second occurrence of a repeated wall time: the same wall clock reading at a later offset.
        repeated = any(datetime.fromtimestamp(t, z).fold == 1 for t in instants)
        cases.append({"expr": expr, "zone": zone, "start": start, "next": instants, "repeated": repeated,
                      "gap_end": skipped_gap(expr, z, start, instants, zone_transitions[zone])})
    json.dump(cases, sys.stdout)


if __name__ == "__main__":
    main()
