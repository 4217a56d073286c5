"""The published items of the usability questionnaires in :mod:`insight.ingest.instruments`:
wording, which way is better, and what each end means in a persona's name. Sources are
listed there (PSSUQ: Lewis 1995, 2002; Sauro & Lewis 2016)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    """One published item: wording, which way is better, and its two readings."""

    number: int
    text: str
    #: +1 when a higher answer is the better experience, -1 when a lower one is
    better: int
    #: short readings of a respondent at the better / the worse end (persona names)
    good: str
    bad: str
    subscale: str = ""

    @property
    def topic(self) -> str:
        """What the item is about, for a side that differs from the rest only in degree
        ("Less positive on finding information" when the mean still agrees)."""
        return TOPICS.get(self.good, "")


#: each reading's subject (keyed by the better-end reading, shared across versions)
TOPICS = {
    "Rates the system easy to use": "ease of use",
    "Finds the system simple to use": "simplicity",
    "Completes tasks quickly": "task speed",
    "Feels comfortable using the system": "comfort",
    "Finds the system easy to learn": "learnability",
    "Expects to become productive quickly": "productivity",
    "Finds error messages clear": "error messages",
    "Recovers easily from mistakes": "recovering from mistakes",
    "Finds the help and documentation clear": "help and documentation",
    "Finds information easily": "finding information",
    "Finds the information helpful for tasks": "the information's help",
    "Finds the screens clearly organised": "screen organisation",
    "Finds the interface pleasant": "the interface",
    "Likes using the interface": "the interface",
    "Finds the functions complete": "the functions",
    "Satisfied with the system overall": "the system overall",
    "Completes tasks effectively": "task completion",
    "Completes tasks efficiently": "efficiency",
    "Finds the information easy to understand": "understanding the information",
    "Would use the system often": "using it often",
    "Finds the system simple": "complexity",
    "Needs no technical support": "needing support",
    "Finds the functions well integrated": "integration",
    "Finds the system consistent": "consistency",
    "Expects others to learn it quickly": "learnability",
    "Finds the system smooth to use": "cumbersomeness",
    "Feels confident using the system": "confidence",
    "Gets going without much learning": "learning needed",
    "Finds the capabilities meet their needs": "capabilities",
    "Finds the system unfrustrating": "frustration",
    "Spends little time correcting things": "time correcting",
    "Rates the task easy": "the task's ease",
    "Would recommend it": "recommending it",
    "Rates the service good": "the service",
}


def item(n: int, text: str, better: int, good: str, bad: str, sub: str = "") -> Item:
    return Item(n, text, better, good, bad, sub)


#: PSSUQ wording and readings shared by v2 and v3 (the same items, other numbers)
PSSUQ_READINGS = {
    "satisfied_ease": (
        "Overall, I am satisfied with how easy it is to use this system.",
        "Rates the system easy to use",
        "Finds the system hard to use",
    ),
    "simple": (
        "It was simple to use this system.",
        "Finds the system simple to use",
        "Finds the system complicated to use",
    ),
    "effective": (
        "I could effectively complete the tasks and scenarios using this system.",
        "Completes tasks effectively",
        "Struggles to complete tasks",
    ),
    "quick": (
        "I was able to complete the tasks and scenarios quickly using this system.",
        "Completes tasks quickly",
        "Finds tasks slow to complete",
    ),
    "efficient": (
        "I was able to efficiently complete the tasks and scenarios using this system.",
        "Completes tasks efficiently",
        "Finds tasks inefficient",
    ),
    "comfortable": (
        "I felt comfortable using this system.",
        "Feels comfortable using the system",
        "Feels uncomfortable using the system",
    ),
    "learn": (
        "It was easy to learn to use this system.",
        "Finds the system easy to learn",
        "Finds the system hard to learn",
    ),
    "productive": (
        "I believe I could become productive quickly using this system.",
        "Expects to become productive quickly",
        "Doubts becoming productive quickly",
    ),
    "errors": (
        "The system gave error messages that clearly told me how to fix problems.",
        "Finds error messages clear",
        "Finds error messages unhelpful",
    ),
    "recover": (
        "Whenever I made a mistake using the system, I could recover easily and quickly.",
        "Recovers easily from mistakes",
        "Struggles to recover from mistakes",
    ),
    "info_clear": (
        "The information (such as online help, on-screen messages and other "
        "documentation) provided with this system was clear.",
        "Finds the help and documentation clear",
        "Finds the help and documentation unclear",
    ),
    "find_info": (
        "It was easy to find the information I needed.",
        "Finds information easily",
        "Finds information hard to find",
    ),
    "understand_info": (
        "The information provided for the system was easy to understand.",
        "Finds the information easy to understand",
        "Finds the information hard to understand",
    ),
    "info_effective": (
        "The information was effective in helping me complete the tasks and scenarios.",
        "Finds the information helpful for tasks",
        "Finds the information unhelpful for tasks",
    ),
    "organisation": (
        "The organization of information on the system screens was clear.",
        "Finds the screens clearly organised",
        "Finds the screens poorly organised",
    ),
    "pleasant": (
        "The interface of this system was pleasant.",
        "Finds the interface pleasant",
        "Finds the interface unpleasant",
    ),
    "liked": (
        "I liked using the interface of this system.",
        "Likes using the interface",
        "Dislikes using the interface",
    ),
    "functions": (
        "This system has all the functions and capabilities I expect it to have.",
        "Finds the functions complete",
        "Misses functions and capabilities",
    ),
    "overall": (
        "Overall, I am satisfied with this system.",
        "Satisfied with the system overall",
        "Dissatisfied with the system overall",
    ),
}
PSSUQ_V2 = (
    ("satisfied_ease", "SysUse"),
    ("simple", "SysUse"),
    ("effective", "SysUse"),
    ("quick", "SysUse"),
    ("efficient", "SysUse"),
    ("comfortable", "SysUse"),
    ("learn", "SysUse"),
    ("productive", "SysUse"),
    ("errors", "InfoQual"),
    ("recover", "InfoQual"),
    ("info_clear", "InfoQual"),
    ("find_info", "InfoQual"),
    ("understand_info", "InfoQual"),
    ("info_effective", "InfoQual"),
    ("organisation", "InfoQual"),
    ("pleasant", "IntQual"),
    ("liked", "IntQual"),
    ("functions", "IntQual"),
    ("overall", ""),
)
#: v3 (Lewis 2002) drops v2 items 3, 5 and 13, keeping the order of the rest
PSSUQ_V3 = tuple(k for k in PSSUQ_V2 if k[0] not in ("effective", "efficient", "understand_info"))


def pssuq_items(order: tuple[tuple[str, str], ...]) -> tuple[Item, ...]:
    return tuple(
        Item(n, PSSUQ_READINGS[key][0], -1, PSSUQ_READINGS[key][1], PSSUQ_READINGS[key][2], sub)
        for n, (key, sub) in enumerate(order, 1)
    )
