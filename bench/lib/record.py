"""What a run found: per figure and daemon, samples or the reason there are none."""

import stats


class Figure:
    def __init__(self, samples, unit, caveat=None):
        self.samples = list(samples)
        self.unit = unit
        self.caveat = caveat

    @property
    def median(self):
        return stats.median(self.samples)

    @property
    def p95(self):
        return stats.p95(self.samples)


class Missing:
    def __init__(self, reason):
        self.reason = reason


class Record:
    def __init__(self):
        self.figures = {}  # figure id -> {daemon key -> Figure | Missing}
        self.curves = {}  # daemon key -> [(networks already running, start ms)]
        self.notes = []  # free text for the closing section
        self.caveats = {}  # daemon key -> text that applies to all its figures
        self.breakdown = None  # virtnatd's start/destroy phases (timing.py), markdown

    def put(self, fig, daemon, samples, unit, caveat=None):
        self.figures.setdefault(fig, {})[daemon] = Figure(samples, unit, caveat)

    def miss(self, fig, daemon, reason):
        # A first reason is the most useful one; later failures follow from it.
        slot = self.figures.setdefault(fig, {})
        if daemon not in slot:
            slot[daemon] = Missing(reason)

    def get(self, fig, daemon):
        return self.figures.get(fig, {}).get(daemon)

    def note(self, text):
        self.notes.append(text)
