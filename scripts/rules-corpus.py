#!/usr/bin/env python3
"""Generate a corpus of rule-engine cases (standards.md section 8) for output-equivalence checks.

    scripts/rules-corpus.py DIR [--count N] [--seed S]   # writes DIR/case-0000.json …
    scripts/rules-corpus.py --check DIR OLD_LANECTL NEW_LANECTL
    scripts/rules-corpus.py --snapshot DIR LANECTL OUT   # OUT/case-0000.json.out …; then diff -r

Covers CN/UK/EU, every emission method, vehicles with absent/null/unknown fields, peaks and
sampled curves (ties at the peak, plateaus, peaks late or at sample 0, single-wheel axles, long
and short curves), units, and input errors (wrong types, negatives, malformed JSON, mismatched
curve sides). A refactor of the engine must leave `lanectl rules evaluate` byte-identical on it:
`--check` runs both binaries on every file (pretty and --compact) and compares stdout, stderr and
the exit status.
"""
import json
import os
import random
import subprocess
import sys

RULESETS = ["CN-GB7258-2017", "UK-MOT", "EU-2014-45"]
TYPE_CODES = ["K33", "K31", "K21", "K11", "K14", "H31", "H11", "H21", "Q11", "B11", "G11", "M21", "M12",
              "N11", "T11", "Z11", "D11", "X99", "k33", "h31"]
CATEGORIES = ["M1", "M2", "M3", "N1", "N2", "N3", "O1", "O4", "L1e", "L3e", "l3e", "L6e", "L7e", "X1"]
FUELS = ["gasoline", "diesel", "lpg", "cng", "hybrid_gasoline", "hybrid_diesel", "electric"]
METHODS = ["two_speed_idle", "asm", "vmas", "free_acceleration", "lug_down", "fast_idle", "diesel_opacity"]
FIGURES = {
    "two_speed_idle": ["idle_co_pct", "idle_hc_ppm", "idle_rpm", "high_idle_co_pct", "high_idle_hc_ppm",
                       "high_idle_lambda", "high_idle_rpm"],
    "asm": ["asm5025_co_pct", "asm5025_hc_ppm", "asm5025_no_ppm", "asm2540_co_pct", "asm2540_hc_ppm",
            "asm2540_no_ppm"],
    "vmas": ["co_g_km", "hc_g_km", "nox_g_km"],
    "free_acceleration": [],
    "lug_down": ["k100_m1", "k80_m1", "nox80_ppm", "max_wheel_power_kw"],
    "fast_idle": ["fast_idle_co_pct", "fast_idle_hc_ppm", "fast_idle_lambda", "fast_idle_rpm", "idle_co_pct",
                  "idle_rpm"],
    "diesel_opacity": [],
}
FIGURE_SCALE = {"co": 1.0, "hc": 200, "no": 1500, "lambda": 1.05, "rpm": 2000, "k": 1.5, "power": 80, "nox": 1000}


def scale_of(name):
    for key in ["lambda", "rpm", "power", "nox", "no_", "co", "hc", "k100", "k80"]:
        if key in name:
            return {"no_": 1500, "k100": 1.5, "k80": 1.5}.get(key, FIGURE_SCALE.get(key, 1.0))
    return 1.0


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def chance(self, p):
        return self.r.random() < p

    def number(self, low, high, decimals=None):
        d = self.r.choice([0, 1, 2, 3]) if decimals is None else decimals
        v = round(self.r.uniform(low, high), d)
        return int(v) if d == 0 else v

    def maybe(self, obj, key, value, p_absent=0.15, p_null=0.08):
        """Sets obj[key] to value, null or leaves it absent."""
        x = self.r.random()
        if x < p_absent:
            return
        obj[key] = None if x < p_absent + p_null else value

    def vehicle(self, ruleset):
        v = {}
        self.maybe(v, "plate", self.r.choice(["鲁G·12345", "AB12 CDE", "B-XY 123"]), 0.3, 0.05)
        if ruleset == "CN-GB7258-2017" or self.chance(0.2):
            self.maybe(v, "type_code", self.r.choice(TYPE_CODES), 0.2, 0.05)
        self.maybe(v, "category", self.r.choice(CATEGORIES), 0.3, 0.05)
        self.maybe(v, "combination", self.chance(0.1), 0.7, 0.05)
        self.maybe(v, "use_phase", self.r.choice(["in_use", "new_registration"]), 0.12, 0.05)
        self.maybe(v, "passenger_car", self.chance(0.5), 0.3, 0.05)
        self.maybe(v, "seats", self.r.choice([1, 2, 3, 5, 7, 9, 10, 30]), 0.3, 0.05)
        total = self.number(300, 40000, 0)
        self.maybe(v, "max_total_mass_kg", total, 0.15, 0.05)
        self.maybe(v, "curb_mass_kg", self.number(total * 0.5, total * 1.1, 0), 0.2, 0.05)
        self.maybe(v, "service_brake", self.r.choice(["hydraulic", "air", "other"]), 0.3, 0.05)
        self.maybe(v, "headlamp_system", self.r.choice([1, 2, 4, 4]), 0.3, 0.05)
        self.maybe(v, "max_design_speed_kmh", self.r.choice([25, 50, 69, 70, 110, 180]), 0.2, 0.05)
        self.maybe(v, "rated_power_kw", self.number(10, 300, 1), 0.4, 0.05)
        year = self.r.choice([1975, 1985, 1992, 2001, 2005, 2008, 2012, 2016, 2018, 2020, 2023])
        self.maybe(v, "first_registered", f"{year}-{self.r.randint(1, 12):02d}-{self.r.randint(1, 28):02d}", 0.2, 0.05)
        self.maybe(v, "first_used", f"{year}-{self.r.randint(1, 12):02d}-{self.r.randint(1, 28):02d}", 0.6, 0.05)
        self.maybe(v, "fuel", self.r.choice(FUELS), 0.15, 0.05)
        self.maybe(v, "aspiration", self.r.choice(["natural", "turbo"]), 0.5, 0.05)
        self.maybe(v, "emission_stage", self.r.choice(["国V", "国VI", "Euro 4"]), 0.6, 0.05)
        self.maybe(v, "emission_limit_set", self.r.choice(["a", "b", "2005", "a", "b"]), 0.2, 0.05)
        self.maybe(v, "plate_value_m1", self.number(0.5, 2.5, 2), 0.6, 0.1)
        return v

    def curve(self, peak_l, peak_r, wheels):
        n = self.r.choice([1, 2, 5, 30, 150, 150, 300, 600])
        shape = self.r.choice(["rise_fall", "plateau", "late", "flat", "noise", "zero", "decreasing"])
        left, right = [], []
        rise_l = self.r.randint(0, n - 1)
        rise_r = self.r.randint(0, n - 1) if self.chance(0.6) else rise_l
        for i in range(n):
            def at(peak, rise):
                if shape == "zero":
                    return 0
                if shape == "flat":
                    return peak
                if shape == "decreasing":
                    return peak * (1 - i / max(1, n))
                if shape == "noise":
                    return peak * self.r.random()
                if i <= rise:
                    base = peak * (i + 1) / (rise + 1)
                else:
                    base = peak * (1 - (0.0 if shape == "plateau" else 0.03) * (i - rise))
                return max(0, base)
            a, b = at(peak_l, rise_l), at(peak_r, rise_r)
            if self.chance(0.5):
                a, b = int(a), int(b)  # integer samples: many ties at the peak
            else:
                a, b = round(a, 2), round(b, 2)
            left.append(a)
            right.append(b)
        c = {"left": left}
        if wheels == 2 or self.chance(0.3):
            c["right"] = right
        self.maybe(c, "period_ms", self.r.choice([10, 5, 20]), 0.3, 0.05)
        return c

    def brake(self):
        b = {}
        unit = self.r.choice(["daN", "N", "kgf", None])
        if unit:
            b["unit"] = unit
        k = {"daN": 1, "N": 10, "kgf": 1.02, None: 1}[unit]
        self.maybe(b, "parking_total", self.number(50, 1500) * k, 0.2, 0.08)
        self.maybe(b, "test_weight", self.number(500, 8000) * k, 0.75, 0.05)
        if self.chance(0.05):
            b["axles"] = None
            return b
        if self.chance(0.04):
            return b
        axles = []
        count = self.r.choice([1, 2, 2, 2, 3, 4])
        for i in range(count):
            wheels = 1 if self.chance(0.08) else 2
            a = {}
            self.maybe(a, "index", i + 1, 0.3, 0.0)
            self.maybe(a, "position", self.r.choice(["front", "rear"]), 0.4, 0.0)
            if wheels == 1 or self.chance(0.1):
                a["wheels"] = wheels
            self.maybe(a, "steered", self.chance(0.5), 0.7, 0.05)
            load = self.number(80, 6000) * k
            self.maybe(a, "load", load, 0.05, 0.05)
            peak_l = self.number(0, load * 0.5 / k * 1.2) * k
            peak_r = self.number(max(0, peak_l / k * 0.6), peak_l / k * 1.3 + 1) * k
            if self.chance(0.55):
                a["curve"] = self.curve(peak_l, peak_r, wheels)
                if self.chance(0.1):
                    self.maybe(a, "peak_left", peak_l, 0.0, 0.2)
                if self.chance(0.05):
                    a["curve"] = None
            else:
                self.maybe(a, "peak_left", peak_l, 0.05, 0.05)
                if wheels == 2:
                    self.maybe(a, "peak_right", peak_r, 0.05, 0.05)
                    self.maybe(a, "max_rise_difference", round(abs(peak_l - peak_r) * self.r.uniform(0.5, 2.5), 1), 0.1, 0.05)
            self.maybe(a, "drag_left", self.number(0, load * 0.15 / k) * k, 0.15, 0.05)
            self.maybe(a, "drag_right", self.number(0, load * 0.15 / k) * k, 0.15, 0.05)
            self.maybe(a, "locked_left", self.chance(0.2), 0.6, 0.05)
            self.maybe(a, "locked_right", self.chance(0.2), 0.6, 0.05)
            axles.append(a)
        b["axles"] = axles
        return b

    def lamps(self):
        lamps = []
        layout = self.r.choice([["left"], ["left", "right"], ["left", "right", "left", "right"], ["right", "left"]])
        for n, side in enumerate(layout):
            lamp = {"side": side}
            if n >= 2 or self.chance(0.1):
                lamp["lamp"] = "aux" if n >= 2 else self.r.choice(["main", "aux"])
            elif self.chance(0.5):
                lamp["lamp"] = "main"
            big = self.chance(0.1)
            self.maybe(lamp, "high_beam_cd", self.number(3000, 200000 if big else 40000, 0), 0.1, 0.08)
            self.maybe(lamp, "low_beam_vertical_H", self.number(0.5, 1.0, 2), 0.25, 0.08)
            self.maybe(lamp, "low_beam_horizontal_mm", self.number(-400, 400, 0), 0.25, 0.08)
            self.maybe(lamp, "centre_height_mm", self.number(400, 1200, 0), 0.5, 0.05)
            lamps.append(lamp)
        return lamps

    def emission(self):
        method = self.r.choice(METHODS)
        e = {"method": method}
        for name in FIGURES[method]:
            s = scale_of(name)
            self.maybe(e, name, self.number(0, s * 1.5, 3) if "lambda" not in name else self.number(0.9, 1.1, 3), 0.1, 0.08)
        if method in ("free_acceleration", "diesel_opacity") or self.chance(0.05):
            readings = [self.number(0.1, 3.0, 2) for _ in range(self.r.choice([0, 1, 2, 3, 4, 5, 6, 8]))]
            self.maybe(e, "opacity_readings_m1", readings, 0.1, 0.1)
        return e

    def case(self):
        ruleset = self.r.choice(RULESETS)
        c = {"ruleset": ruleset}
        if self.chance(0.95):
            c["vehicle"] = self.vehicle(ruleset)
        elif self.chance(0.5):
            c["vehicle"] = None
        for name, make in [("brake", self.brake), ("headlamps", self.lamps), ("emission", self.emission)]:
            x = self.r.random()
            if x < 0.75:
                c[name] = make()
            elif x < 0.85:
                c[name] = None
        return c

    def broken(self, c):
        """Turns a good case into one of the input errors."""
        kind = self.r.randint(0, 13)
        axles = (c.get("brake") or {}).get("axles") or []
        if kind == 0:
            c["ruleset"] = "XX-1"
        elif kind == 1:
            c.pop("ruleset")
        elif kind == 2 and axles:
            axles[0]["load"] = self.r.choice([0, -5, "heavy"])
        elif kind == 3 and axles:
            axles[-1]["peak_left"] = -1
        elif kind == 4 and axles:
            axles[0]["curve"] = {"left": [0, 10, 20], "right": [0, 10]}
        elif kind == 5 and axles:
            axles[0]["curve"] = {"left": [0, 10, -3, 20], "right": [0, 10, 2, 4]}
        elif kind == 6:
            c.setdefault("vehicle", {})
            if c["vehicle"] is None:
                c["vehicle"] = {}
            c["vehicle"]["first_registered"] = self.r.choice(["2016/05/01", "2016-13-01", "yesterday"])
        elif kind == 7:
            c["headlamps"] = [{"side": "middle"}]
        elif kind == 8:
            c["emission"] = {"method": "sniff"}
        elif kind == 9:
            c["brake"] = {"unit": "lb"}
        elif kind == 10:
            c["vehicle"] = {"headlamp_system": 3}
        elif kind == 11 and axles:
            axles[0]["wheels"] = 3
        elif kind == 12:
            c["emission"] = {"method": "free_acceleration", "opacity_readings_m1": [1.0, -2.0, 1.0]}
        else:
            c["brake"] = {"axles": [{"load": 500, "curve": {"left": []}}]}
        return c


def write_corpus(directory, count, seed):
    g = Gen(seed)
    os.makedirs(directory, exist_ok=True)
    for n in range(count):
        if n % 10 == 9:
            c = g.broken(g.case())
        else:
            c = g.case()
        if n % 50 == 7:
            text = json.dumps(c, ensure_ascii=False)[:-3]  # malformed JSON
        elif n % 20 == 3:
            text = json.dumps([c, g.case(), g.broken(g.case())], ensure_ascii=False, indent=1)  # an array
        else:
            text = json.dumps(c, ensure_ascii=False, indent=None if n % 2 else 2)
        with open(os.path.join(directory, f"case-{n:04d}.json"), "w", encoding="utf-8") as f:
            f.write(text)


def run(binary, path, compact):
    args = [binary, "rules", "evaluate", path] + (["--compact"] if compact else [])
    p = subprocess.run(args, capture_output=True)
    return p.returncode, p.stdout, p.stderr


def check(directory, old, new):
    files = sorted(f for f in os.listdir(directory) if f.endswith(".json"))
    differ = 0
    for name in files:
        path = os.path.join(directory, name)
        for compact in (False, True):
            a, b = run(old, path, compact), run(new, path, compact)
            if a != b:
                differ += 1
                print(f"DIFFERS: {name} compact={compact} exit {a[0]} vs {b[0]}")
    print(f"{len(files)} files, {2 * len(files)} runs each binary, {differ} differ")
    return differ == 0


def snapshot(directory, binary, out):
    os.makedirs(out, exist_ok=True)
    for name in sorted(f for f in os.listdir(directory) if f.endswith(".json")):
        path = os.path.join(directory, name)
        with open(os.path.join(out, name + ".out"), "wb") as f:
            for compact in (False, True):
                code, stdout, stderr = run(binary, path, compact)
                f.write(b"exit %d\n" % code + stdout + b"--- stderr\n" + stderr)


if __name__ == "__main__":
    argv = sys.argv[1:]
    if argv and argv[0] == "--snapshot":
        snapshot(argv[1], argv[2], argv[3])
        sys.exit(0)
    if argv and argv[0] == "--check":
        sys.exit(0 if check(argv[1], argv[2], argv[3]) else 1)
    count = int(argv[argv.index("--count") + 1]) if "--count" in argv else 600
    seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 3
    write_corpus(argv[0], count, seed)
