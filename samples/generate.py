"""Generate the synthetic Brewline sample study (survey, interviews, reviews, truth).

Brewline is a fictional maker of commercial espresso machines that sells to
cafés, restaurants, offices and hotels. Everything written by this script is
synthetic: people, companies, addresses, quotes. The study has four planted
attitudinal segments that differ in Likert profile, pain points, emotions and
wording; the ground truth goes to ``samples/truth/`` so tests and benchmarks can
score segmentation, pain-point, emotion and vocabulary stages against it.

The output is deterministic: the same seed gives byte-identical files (DOCX
archives are written with fixed timestamps). Only the standard library and
python-docx are used, so the result does not depend on numpy's random streams.

Usage::

    python samples/generate.py            # rewrite samples/ in place
    python samples/generate.py --out DIR  # write the study somewhere else
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import random
import re
import zipfile
from pathlib import Path
from typing import Any

SEED = 20260311
HERE = Path(__file__).resolve().parent

SURVEY_FILE = "survey/brewline_customer_survey_2026.csv"
REVIEWS_FILE = "reviews/brewline_reviews.csv"

N_UNIQUE_RESPONDENTS = 297
N_DUPLICATES = 3
N_REVIEWS = 400

# --------------------------------------------------------------------------
# Survey design
# --------------------------------------------------------------------------
LIKERT_LABELS = [
    "Strongly disagree",
    "Somewhat disagree",
    "Neither agree nor disagree",
    "Somewhat agree",
    "Strongly agree",
]
SAT_LABELS = [
    "Very dissatisfied",
    "Somewhat dissatisfied",
    "Neither satisfied nor dissatisfied",
    "Somewhat satisfied",
    "Very satisfied",
]
MATRIX_STEM = "How much do you agree with the following statements?"

# (code, statement, construct, reverse-keyed). Constructs: A price sensitivity,
# B quality focus, C wish for simplicity / hands-off, D uptime & service needs.
# Each reverse-keyed item is worded against the first item of its construct.
ITEMS: list[tuple[str, str, str, bool]] = [
    ("Q2_1", "Price matters more to me than features", "A", False),
    ("Q2_2", "I always compare prices before buying parts or service", "A", False),
    ("Q2_3", "I'm happy to pay more for a premium machine", "A", True),
    ("Q2_4", "The quality of every cup is my top priority", "B", False),
    ("Q2_5", "I fine-tune grind and machine settings myself most days", "B", False),
    ("Q2_6", "Any decent coffee is good enough for our customers", "B", True),
    ("Q2_7", "I want a machine that staff can use without any training", "C", False),
    ("Q2_8", "Cleaning and maintenance should take no effort on our side", "C", False),
    ("Q2_9", "I enjoy learning the technical settings of our machines", "C", True),
    ("Q2_10", "Fast technician response is essential for our business", "D", False),
    ("Q2_11", "Even an hour of machine downtime costs us real money", "D", False),
    ("Q2_12", "I need to keep track of machines across several sites", "D", False),
]
ITEM_OFFSETS = {
    "Q2_1": 0.0,
    "Q2_2": -0.2,
    "Q2_3": 0.1,
    "Q2_4": 0.0,
    "Q2_5": -0.3,
    "Q2_6": 0.1,
    "Q2_7": 0.1,
    "Q2_8": -0.1,
    "Q2_9": 0.0,
    "Q2_10": 0.1,
    "Q2_11": -0.1,
    "Q2_12": -0.3,
}
LIKERT_NOISE_SD = 0.8
ACQUIESCENCE_SD = 0.25

BUSINESS_TYPES = ["Independent café", "Coffee chain", "Restaurant", "Office", "Hotel"]
LOCATIONS = ["1", "2-5", "6-20", "20+"]
REGIONS = [
    ("London", 51.5072, -0.1276),
    ("South East", 51.2787, 0.5217),
    ("South West", 50.7184, -3.5339),
    ("Midlands", 52.4862, -1.8904),
    ("North West", 53.4808, -2.2426),
    ("North East & Yorkshire", 53.8008, -1.5491),
    ("Scotland", 55.8642, -4.2518),
    ("Wales", 51.4816, -3.1791),
    ("Northern Ireland", 54.5973, -5.9301),
]
REGION_WEIGHTS = [22, 14, 10, 14, 12, 12, 8, 5, 3]
ROLES = [
    "Owner",
    "General manager",
    "Head barista",
    "Office or facilities manager",
    "Operations manager",
    "Procurement",
    "Other",
]

# --------------------------------------------------------------------------
# Planted segments
# --------------------------------------------------------------------------
SEGMENTS: list[dict[str, Any]] = [
    {
        "key": "cost",
        "name": "Cost-conscious independents",
        "share": 0.35,
        "construct_means": {"A": 4.4, "B": 2.8, "C": 2.8, "D": 2.6},
        "satisfaction_mean": 2.8,
        "business": [70, 2, 20, 5, 3],
        "locations": [75, 22, 3, 0],
        "roles": [75, 15, 5, 0, 0, 0, 5],
        "pain_points": [
            {"pain_point": "price of spare parts", "category": "price/value"},
            {
                "pain_point": "service contract and callout charges too expensive",
                "category": "price/value",
            },
            {
                "pain_point": "genuine consumables (filters, cleaning tablets) overpriced",
                "category": "price/value",
            },
        ],
        "emotions": ["anger", "disapproval"],
        "emotion_label": "frustration / anger",
        "wording": [
            "rip-off",
            "arm and a leg",
            "daylight robbery",
            "margins",
            "cheaper alternative",
        ],
    },
    {
        "key": "quality",
        "name": "Quality-obsessed specialty cafés",
        "share": 0.28,
        "construct_means": {"A": 2.3, "B": 4.5, "C": 1.9, "D": 3.0},
        "satisfaction_mean": 3.1,
        "business": [65, 15, 15, 0, 5],
        "locations": [55, 40, 5, 0],
        "roles": [45, 10, 40, 0, 0, 0, 5],
        "pain_points": [
            {
                "pain_point": "inconsistent milk temperature and foam from the steam wand",
                "category": "reliability/quality",
            },
            {
                "pain_point": "shot-to-shot inconsistency and temperature drift",
                "category": "reliability/quality",
            },
            {
                "pain_point": "no pressure profiling or fine temperature control",
                "category": "missing feature",
            },
        ],
        "emotions": ["disappointment", "sadness"],
        "emotion_label": "disappointment",
        "wording": [
            "shot consistency",
            "microfoam",
            "dialled in",
            "temperature stability",
            "steam wand",
        ],
    },
    {
        "key": "office",
        "name": "Hands-off office managers",
        "share": 0.22,
        "construct_means": {"A": 2.8, "B": 2.0, "C": 4.5, "D": 2.8},
        "satisfaction_mean": 3.4,
        "business": [5, 0, 5, 75, 15],
        "locations": [60, 30, 10, 0],
        "roles": [0, 10, 0, 70, 5, 10, 5],
        "pain_points": [
            {"pain_point": "cleaning and descaling routine is confusing", "category": "usability"},
            {"pain_point": "too many buttons and unclear warning lights", "category": "usability"},
            {"pain_point": "daily cleaning takes staff too long", "category": "time/effort"},
        ],
        "emotions": ["confusion", "nervousness"],
        "emotion_label": "confusion / nervousness",
        "wording": [
            "too many buttons",
            "descaling thing",
            "flashing light",
            "cleaning thing",
            "idiot-proof",
        ],
    },
    {
        "key": "chain",
        "name": "High-volume chain operators",
        "share": 0.15,
        "construct_means": {"A": 2.6, "B": 3.2, "C": 3.4, "D": 4.5},
        "satisfaction_mean": 2.6,
        "business": [0, 60, 20, 0, 20],
        "locations": [0, 20, 45, 35],
        "roles": [10, 10, 0, 0, 50, 25, 5],
        "pain_points": [
            {
                "pain_point": "slow engineer response and missed visits",
                "category": "service/support",
            },
            {"pain_point": "machine downtime during peak hours", "category": "reliability/quality"},
            {"pain_point": "no remote monitoring across sites", "category": "missing feature"},
        ],
        "emotions": ["annoyance", "disapproval"],
        "emotion_label": "annoyance / impatience",
        "wording": [
            "engineer never turns up",
            "downtime kills us",
            "response time",
            "across our sites",
            "queue out the door",
        ],
    },
]
SEG_BY_KEY = {s["key"]: s for s in SEGMENTS}

# --------------------------------------------------------------------------
# Phrase banks. {slot} placeholders are filled from SLOTS (recursively).
# --------------------------------------------------------------------------
SLOTS: dict[str, list[str]] = {
    "part": [
        "a group head gasket",
        "a shower screen",
        "a new pump",
        "the boiler element",
        "a solenoid valve",
        "a pressure switch",
        "a portafilter handle",
        "two drip tray covers",
        "a flow meter",
    ],
    "price": ["£85", "£140", "£60", "nearly £200", "£35", "£120", "£95", "£230", "£48"],
    "contract": ["£45 a month", "£60 a month", "£540 a year", "£70 a month", "£650 a year"],
    "months": ["two", "three", "six", "four"],
    "town": [
        "Leeds",
        "Bristol",
        "Glasgow",
        "Norwich",
        "Cardiff",
        "Brighton",
        "York",
        "Belfast",
        "Exeter",
        "Derby",
    ],
    "secs1": ["22", "24", "26", "25"],
    "secs2": ["31", "34", "18", "36"],
    "temp": ["75", "78", "52", "80", "55"],
    "n_sites": ["four", "six", "eleven", "14", "22", "nine", "30"],
    "n_down": ["three", "four", "five", "two"],
    "days": ["two", "three", "four", "five"],
    "mins": ["40", "25", "50", "35"],
    "money": ["£600", "£1,200", "£900", "£2k", "a few hundred quid"],
    "tech": ["Sam", "Priya", "Callum", "Dev", "Marta", "Ollie"],
    "drink": ["flat white", "latte", "cappuccino", "cortado", "oat latte"],
    "kinda": ["", "", "kind of ", "sort of ", "a bit ", "really ", "pretty "],
    "model": ["Duo", "Solo Pro", "Office One", "Barista X2", "Compact"],
    "day": ["Monday", "Tuesday", "Friday", "Saturday", "Sunday", "Wednesday"],
    "when": [
        "Last Saturday",
        "Yesterday",
        "Last week",
        "On Friday",
        "A couple of weeks ago",
        "This morning",
    ],
    "really": ["", "", "really ", "just ", "honestly ", "absolutely "],
    "staff": ["the temps", "the new starters", "the interns", "reception", "half the office"],
}

BANKS: dict[str, dict[str, list[str]]] = {
    "cost": {
        "oneword": [
            "Price",
            "Prices.",
            "cost",
            "Parts prices",
            "££££",
            "Money!",
            "the cost",
            "Expense",
        ],
        "short": [
            "parts are a rip-off",
            "price of parts",
            "costs an arm and a leg",
            "the service contract price",
            "callout charges",
            "daylight robbery on parts",
            "overpriced filters",
            "everything costs an arm and a leg",
            "prices going up every year",
        ],
        "pain": [
            "The price of parts, it's a rip-off.",
            "Parts are a rip-off!",
            "Everything costs an arm and a leg. {part} was {price} last time.",
            "{price} for {part}? That's daylight robbery.",
            "The service contract costs an arm and a leg and we barely use it.",
            "We're a tiny café and our margins are tight, so paying {price} every time something small goes is {kinda}painful.",
            "The service contract. We pay {contract} and I honestly can't see what we get for it.",
            "Genuine Brewline parts are a rip-off when I can find the same thing online for a fraction of the price.",
            "Callout charges. {price} just for someone to turn up, before they even touch the machine. Daylight robbery.",
            "Prices keep going up every year but our margins don't.",
            "Water filters at {price} a pop every {months} months is a rip-off.",
            "The price hike on the service plan this year was {kinda}hard to swallow.",
            "Cleaning tablets and descaler cost an arm and a leg compared to the supermarket stuff.",
            "On our margins every repair bill hurts, and your parts pricing is daylight robbery.",
            "I had a quote from a cheaper alternative and it was half what you charge for the same cover.",
            "Cost. Simple as that. It costs an arm and a leg to keep running.",
            "Paying {price} for {part} when it takes five minutes to fit is a rip-off.",
        ],
        "story": [
            "Last {day} the pump went and the bill came to {price} plus the callout, which is more than we take in a slow morning.",
            "I rang up about {part} and they wanted {price} for it, so I found a cheaper alternative online and fitted it myself.",
            "We had the engineer out twice in {months} months and paid the callout both times even though it was the same fault.",
            "When the renewal letter came through the contract had gone up again, no explanation, just a bigger number.",
            "I sat down with the accounts in January and the machine costs us more to run than the rent on the storeroom.",
        ],
        "emotion": [
            "It makes me so angry.",
            "Honestly it's infuriating.",
            "I'm fed up with it.",
            "Really frustrating when every penny counts.",
            "It winds me up no end.",
            "I'm livid every time the invoice comes in!",
            "It's frankly insulting to small businesses.",
            "Absolutely fuming about the last bill 😡",
            "Makes my blood boil, to be honest.",
        ],
        "wish": [
            "Cheaper parts, simple as.",
            "I wish the service contract had a cheaper tier for small cafés.",
            "All I want is fair prices on parts.",
            "It would be great if you published a price list so we know what we're paying before the engineer comes.",
            "Let us use third-party parts without voiding the warranty.",
            "A loyalty discount for people who've stuck with you for years.",
            "Drop the callout charge, or at least cap it.",
            "Stop charging an arm and a leg for basic stuff like gaskets.",
            "Pay-as-you-go servicing instead of a contract that's a rip-off for small places like us.",
            "I wish you'd remember that independents run on tiny margins.",
            "It would be great if the price of parts didn't feel like daylight robbery.",
        ],
        "leak": [
            "Parts are a bit pricey.",
            "The contract isn't cheap.",
            "It's an expensive machine to run.",
            "Some parts cost an arm and a leg, but I guess that's true of every brand.",
        ],
        "emoji": ["😡", "💸", "🙄"],
        "business": [
            "I run a small café in {town}, just me and two part-timers.",
            "We're a little family-run coffee shop near the station in {town}.",
            "It's an independent café, been going about six years now.",
            "Me and my partner own a café and bakery in {town}.",
        ],
        "machines": [
            "Just the one, a Solo Pro. Bought it second hand, actually.",
            "One Compact, and an old grinder that came with the shop.",
            "We've got a Duo, we got it on finance when we opened.",
        ],
        "why": [
            "Because every pound matters when you're this small. If the machine eats two hundred quid in a month, that's my wages gone, basically.",
            "We sell a flat white for three pound twenty. Do the maths on a {price} part, it's a lot of flat whites.",
            "It's the principle as well. You feel like they know you're stuck with them, so they charge what they like.",
            "It happens maybe every couple of months, something small, a seal or a valve, and it's never cheap.",
        ],
        "compare": [
            "Yeah, I had a quote from a cheaper alternative last spring. Half the price for the contract. I'd have switched if I hadn't just paid for the year.",
            "I've looked, yeah. The Italian ones are cheaper to fix, the parts are everywhere online.",
        ],
        "secondary_q": "How do you feel about the service contract?",
    },
    "quality": {
        "oneword": ["Consistency", "Milk", "Temperature.", "steam wand", "microfoam", "Extraction"],
        "short": [
            "shot consistency",
            "milk temperature all over the place",
            "can't get decent microfoam",
            "temperature stability",
            "keeping it dialled in",
            "the steam wand",
            "inconsistent shots",
        ],
        "pain": [
            "Shot consistency. One shot pulls at {secs1} seconds, the next at {secs2}, same dose, same grind.",
            "The steam wand can't hold pressure, so the microfoam goes from silky to bubbly halfway through a rush.",
            "Temperature stability on the group heads isn't good enough for light roasts.",
            "Milk temperature is all over the place, some lattes come out at {temp} degrees.",
            "Once we get it dialled in in the morning it drifts by lunchtime.",
            "Microfoam quality drops off when both steam wands are going at once.",
            "We spend ages getting the espresso dialled in and then the machine just doesn't hold it.",
            "The milk system. The auto-froth gives you foam, not microfoam.",
            "Shot consistency between the left and right group is noticeably different.",
            "Pressure drops mid-extraction sometimes, you can see it on the gauge.",
            "Temperature stability. Full stop.",
            "The milk line blocks and the steam wand splutters during service.",
            "Our baristas can taste the difference when the temperature stability goes, and so can the regulars.",
            "You can't pour decent latte art when the microfoam is that inconsistent.",
            "Shot consistency is the whole point of a machine at this level and it isn't there.",
        ],
        "story": [
            "On {day} we had a queue of regulars and every {drink} came out a different temperature, so we ended up remaking half of them.",
            "We changed to a lighter roast in spring and it took a week to get it dialled in, then the group temperature drifted again.",
            "I measured it with a thermometer, the steam wand output dropped about ten degrees after the fifth jug.",
            "We entered a latte art throwdown and I practised on the Duo, and the microfoam just wouldn't stay consistent.",
        ],
        "emotion": [
            "Honestly a bit disappointed for a machine at this price.",
            "I expected better from Brewline.",
            "It's a real letdown.",
            "Such a shame because the build quality looks great.",
            "We were gutted, it was meant to be our big upgrade.",
            "It's disappointing, really.",
            "Not what we were promised at the demo, sadly.",
            "I'm quite sad about it, we loved the old model.",
        ],
        "wish": [
            "I wish it had proper PID temperature control on each group.",
            "All I want is shot consistency I can rely on.",
            "It would be great if the steam wand held pressure for more than a few jugs.",
            "Pressure profiling please!",
            "Let us tweak the settings ourselves without calling a technician.",
            "A better steam wand for microfoam, like the one on the old model.",
            "Give us a flow meter so we can keep it dialled in.",
            "I wish temperature stability was taken as seriously as the looks.",
            "It would be great if the milk system was built for specialty, not for vending.",
        ],
        "leak": [
            "The coffee isn't always the same.",
            "The milk sometimes comes out too hot.",
            "The quality varies a bit from cup to cup.",
            "The steam wand gets a bit temperamental sometimes.",
        ],
        "emoji": ["☕", "😞", "🥛"],
        "business": [
            "We're a specialty coffee shop in {town}, we roast our own beans out the back.",
            "I'm head barista at a specialty café, we do single origins and a rotating guest espresso.",
            "Roastery café, two sites now, both in {town}.",
        ],
        "machines": [
            "Two Barista X2s, one per site.",
            "A three-group Duo on the bar and a Compact for training.",
            "The Barista X2. We upgraded from the old Solo about a year ago.",
        ],
        "why": [
            "Because that's what people come to us for. If a regular gets a flat latte they won't say anything, they'll just not come back.",
            "It matters because we pay a lot for our green coffee. If the machine can't hold temperature, all that work is wasted in the cup.",
            "It happens most days to be honest, usually mid-morning when both groups and the steam wand are going flat out.",
            "We're obsessive about it, I suppose. Shot consistency is the whole job.",
        ],
        "compare": [
            "A friend has a machine with proper pressure profiling and the difference in temperature stability is night and day.",
            "We tried a demo of another brand at a trade show. Better steam wand, worse software. Nothing's perfect.",
        ],
        "secondary_q": "How's the milk side of things?",
    },
    "office": {
        "oneword": [
            "Cleaning",
            "buttons",
            "Descaling",
            "confusing",
            "the flashing light",
            "Cleaning??",
        ],
        "short": [
            "too many buttons",
            "the descaling thing",
            "cleaning it",
            "the flashing light",
            "the cleaning thing",
            "knowing what the lights mean",
            "confusing menus",
        ],
        "pain": [
            "There are too many buttons and nobody knows what half of them do.",
            "The descaling thing. Every few weeks a flashing light comes on and no one knows what it wants.",
            "Cleaning it. The cleaning thing takes forever and the instructions make no sense.",
            "Staff keep pressing the wrong button and we end up with hot water everywhere.",
            "The flashing light. Is it the descaling thing or the cleaning thing or something else? No idea.",
            "I'm not a barista, I just need it to work. Too many buttons and settings.",
            "Every time it shows an error code I have to google it.",
            "The manual is 60 pages and I still couldn't work out the descaling thing.",
            "Nobody in the office wants to do the cleaning thing so it doesn't get done.",
            "The screen menus are confusing, you have to go through about five menus to run a rinse.",
            "Too many buttons for an office machine, people just want a coffee.",
            "{staff} get flustered by all the options and end up pressing everything.",
            "When the flashing light comes on people just stop using it and come and find me.",
        ],
        "story": [
            "On {day} the flashing light came on, {staff} panicked and unplugged it, and it took me an hour with the manual to get it going.",
            "I tried the descaling thing on my own once and flooded the kitchen floor, so now I leave it until someone from facilities can help.",
            "We had an all-hands in the morning and the machine locked itself for the cleaning thing right when fifty people wanted coffee.",
            "I printed the cleaning steps and taped them to the wall but someone took them down.",
        ],
        "emotion": [
            "I'm never sure if I'm doing it right.",
            "Honestly I'm a bit scared to touch it in case I break something.",
            "It's confusing.",
            "I get nervous every time the flashing light comes on.",
            "I'm worried we'll break it and get charged.",
            "Completely baffled by it to be honest 🤷",
            "I don't really understand what it wants from me half the time.",
            "It makes me anxious when it beeps, I'm not going to lie.",
        ],
        "wish": [
            "I wish it was idiot-proof.",
            "All I want is one button that says CLEAN.",
            "It would be great if it told you in plain English what the flashing light means.",
            "Automatic descaling so nobody has to think about it.",
            "Fewer buttons!",
            "Make the descaling thing automatic, or at least make it obvious.",
            "A simple quick-start card we can stick on the wall.",
            "Someone to come and do the cleaning for us would be ideal.",
            "It would be great if it was idiot-proof, honestly, we're not baristas.",
            "I wish there were fewer buttons and a proper reminder for the cleaning thing.",
        ],
        "leak": [
            "Cleaning takes a while.",
            "Some of the settings are confusing.",
            "The display could be clearer.",
            "New staff get confused by the flashing light.",
        ],
        "emoji": ["🤷", "😬", "🤔"],
        "business": [
            "I'm the office manager at an insurance firm, about two hundred staff over three floors.",
            "I look after facilities for a software company in {town}, so the kitchens are my problem.",
            "I'm an office administrator at a law firm, the machine is in our client suite and staff kitchen.",
        ],
        "machines": [
            "Three Office Ones, one on each floor.",
            "Two Office Ones and an older Compact in the boardroom.",
            "Just the one Office One, but it does about two hundred cups a day.",
        ],
        "why": [
            "Because it's not my job, really. I'm meant to be running the office, not being a barista.",
            "Because if it stops working I get thirty emails in ten minutes. People really care about their coffee.",
            "It happens every few weeks, I think. There's no pattern that I can see, the flashing light just comes on.",
            "Because nobody's been trained on it. The person who set it up left last year.",
        ],
        "compare": [
            "Not really, the last place I worked had a bean-to-cup thing with two buttons and honestly it was fine.",
            "Procurement looked at a couple of others but I don't know much about it, I just want one that's idiot-proof.",
        ],
        "secondary_q": "Who looks after the cleaning?",
    },
    "chain": {
        "oneword": ["Downtime", "Engineers", "Response time", "SLA", "callouts", "Downtime."],
        "short": [
            "downtime kills us",
            "engineer never turns up",
            "response time",
            "slow callouts",
            "downtime across our sites",
            "missed SLA",
            "engineers without parts",
        ],
        "pain": [
            "Downtime. When a machine goes down on a Saturday morning we lose {money} in sales, downtime kills us.",
            "The engineer never turns up when they say they will.",
            "Response time on callouts is terrible, we were promised 4 hours and it's more like {days} days.",
            "Across our sites we had {n_down} machines down last month and the engineer never turns up with the right part.",
            "Queue out the door and one of the two machines dead. Downtime kills us.",
            "Response time. Your SLA says next day and we never get next day.",
            "Managing service across our sites is a nightmare, every region has a different engineer.",
            "The engineer never turns up with the parts so it's always two visits.",
            "We have no visibility of which machines are about to fail across our sites.",
            "Your helpline keeps us on hold for {mins} minutes while there's a queue out the door.",
            "We run {n_sites} sites and the response time varies from same day to a week.",
            "Downtime kills us in the morning rush, every minute a machine is down is money walking out.",
        ],
        "story": [
            "{when} we had a queue out the door at our busiest site, machine down, and the engineer never turns up until the afternoon.",
            "Last month {n_down} sites logged faults on the same day and we got one engineer for the whole region.",
            "We logged a call on Monday, they said Tuesday, then Thursday, and on Thursday the engineer turned up without the part.",
            "Our area manager spent a whole day ringing round because nobody could tell us the response time for each site.",
        ],
        "emotion": [
            "It's really annoying.",
            "We can't keep waiting around.",
            "Honestly it drives me up the wall.",
            "I'm sick of chasing.",
            "Still waiting on a callback from last week.",
            "Third time this month ⏰",
            "Irritating doesn't cover it.",
            "We don't have time for this.",
            "It's getting old, fast.",
        ],
        "wish": [
            "All I want is an engineer within 4 hours, like the SLA says.",
            "It would be great if we could see every machine across our sites on one dashboard.",
            "A loan machine while ours is being fixed.",
            "I wish the engineer carried common parts in the van.",
            "Remote diagnostics so you know it's broken before we do.",
            "A dedicated account manager for multi-site customers.",
            "Guaranteed response time or money back.",
            "It would be great if response time was measured in hours, not days, because downtime kills us.",
        ],
        "leak": [
            "The engineer took a while to come out.",
            "A bit of downtime here and there.",
            "Support can be slow.",
            "Response time from the engineers could be better.",
        ],
        "emoji": ["⏰", "😤", "🙄"],
        "business": [
            "I'm operations manager for a coffee chain, we've got {n_sites} sites across the north.",
            "I look after food and beverage for a hotel group, {n_sites} properties.",
            "We're a restaurant group, {n_sites} sites, and every one has at least two machines.",
        ],
        "machines": [
            "Around forty Duos, plus a few Solo Pros in the smaller units.",
            "Two per site, so about thirty machines all in.",
            "Mostly Duos. We standardised on them three years ago.",
        ],
        "why": [
            "Because at our volumes a machine down for a morning is a few hundred drinks. Downtime kills us, simple as that.",
            "Because I'm the one the area managers ring. I've got {n_sites} sites and I can't be chasing engineers all day.",
            "It happens every week somewhere across our sites. On its own it's manageable, but it's the response time that hurts.",
            "Because our customers won't wait. If there's a queue out the door they walk to the place next door.",
        ],
        "compare": [
            "We're reviewing suppliers next year, and response time is going to be the number one thing in the tender.",
            "One of our competitors switched and says they get an engineer in four hours. I don't know if that's true.",
        ],
        "secondary_q": "How does it work when you have a problem at one of the sites?",
    },
}


# Compositional pain sentences: subject + predicate (+ consequence). Every
# subject reads with every predicate, so the combinations stay grammatical.
COMBOS: dict[str, dict[str, list[str]]] = {
    "cost": {
        "subject": [
            "The price of parts",
            "What you charge for parts",
            "The service contract",
            "The callout fee",
            "Paying {price} for {part}",
            "The cost of genuine filters",
            "Your parts pricing",
            "The annual service plan",
        ],
        "predicate": [
            "is a rip-off",
            "is {really}daylight robbery",
            "costs an arm and a leg",
            "is {kinda}ridiculous for a small café",
            "eats into our margins",
            "is double what a cheaper alternative would cost",
            "has gone up again this year",
            "is hard to justify on our margins",
            "is {kinda}taking the mick",
        ],
        "consequence": [
            "and we're a tiny café",
            "when margins are already tight",
            "so we put off repairs",
            "so I fix things myself now",
            "which is more than we make on a slow day",
            "and it's not like the parts are special",
            "and nobody explains why",
        ],
    },
    "quality": {
        "subject": [
            "Shot consistency",
            "Temperature stability on the group",
            "The steam wand",
            "Milk texture",
            "The microfoam",
            "Extraction time",
            "Brew temperature",
            "The milk system",
        ],
        "predicate": [
            "is all over the place",
            "isn't good enough for specialty coffee",
            "drifts during a busy service",
            "{really}falls apart when we're busy",
            "varies way too much",
            "never matches what we had on the old machine",
            "is the thing that lets it down",
            "is a constant battle",
        ],
        "consequence": [
            "so we end up remaking drinks",
            "and the regulars notice",
            "which is a real problem with light roasts",
            "so we're constantly re-dialling",
            "and latte art suffers",
            "even when we had it dialled in an hour before",
        ],
    },
    "office": {
        "subject": [
            "The descaling thing",
            "The cleaning thing",
            "The flashing light",
            "The touchscreen menu",
            "Working out the error codes",
            "The weekly maintenance",
            "The rinse programme",
        ],
        "predicate": [
            "is a mystery to everyone here",
            "confuses everyone",
            "makes no sense unless you're a barista",
            "is way more complicated than it needs to be",
            "is {kinda}the bane of my life",
            "stresses people out",
            "takes ages",
        ],
        "consequence": [
            "so it just doesn't get done",
            "and I end up doing it myself",
            "and people leave it beeping",
            "so staff come and find me every time",
            "and the manual doesn't help",
            "and there are too many buttons to start with",
        ],
    },
    "chain": {
        "subject": [
            "Engineer response time",
            "Downtime at our busiest sites",
            "Getting an engineer out",
            "The callout process",
            "Service across our sites",
            "Your SLA",
            "First-time fix rate",
        ],
        "predicate": [
            "is nowhere near good enough",
            "is a constant battle",
            "costs us a fortune in lost sales",
            "is the biggest issue by a mile",
            "is {really}all over the place",
            "falls apart at weekends",
            "is {kinda}a joke",
        ],
        "consequence": [
            "because the engineer never turns up when promised",
            "and downtime kills us",
            "while there's a queue out the door",
            "and we run {n_sites} sites",
            "so we're always chasing",
            "and every hour of downtime is lost revenue",
        ],
    },
}

COMMON: dict[str, list[str]] = {
    "positive": [
        "The coffee itself is great.",
        "Customers love the drinks.",
        "It looks lovely on the counter.",
        "Build quality is solid.",
        "When it works it's brilliant.",
        "The phone support people are always friendly.",
        "Our regulars say it's the best coffee in town.",
        "Really happy with the machine overall 👍",
        "Honestly love the machine itself.",
        "Big thanks to {tech}, our engineer, who's always been great.",
        "The grinder that came with it is excellent.",
        "It heats up fast in the morning, which is nice.",
    ],
    "negated": [
        "The coffee's not bad, to be fair.",
        "I wouldn't say it's a bad machine.",
        "Can't complain about the taste.",
        "It's not that it doesn't work, it does.",
        "Never had a problem with the grinder.",
        "Not the worst machine we've had by a long way.",
        "It isn't awful, just could be better.",
        "I wouldn't say it's hard to use, just fiddly.",
        "Don't get me wrong, I'm not unhappy overall.",
    ],
    "gratitude": [
        "Thanks for asking!",
        "Thank you for doing this survey.",
        "Cheers for listening.",
        "Grateful you're asking us for once.",
        "Thanks, and keep up the good work.",
    ],
    "offtopic": [
        "Our landlord just put the rent up again so everything feels expensive right now.",
        "Trade's been slow with all the rain.",
        "We're opening a second place in the spring!",
        "The survey was a bit long tbh.",
        "Does anyone actually read these?",
        "My dog is terrified of the grinder lol",
        "Can you send more of those branded cups, customers nicked them all.",
        "The new barista we hired is brilliant.",
        "Bit random but the delivery driver was lovely.",
        "Parking near us is a nightmare so deliveries are always late.",
        "Happy Friday!",
        "Sorry for the typos, doing this on my phone.",
    ],
    "nonanswer": [
        "N/A",
        "n/a",
        "NA",
        "nothing",
        "Nothing",
        "no",
        "No.",
        "Nope",
        "none",
        "-",
        ".",
        "Nothing else",
        "not really",
        "no thanks",
        "Not at this time",
    ],
    "nochange": [
        "Nothing really, it's fine.",
        "Not sure.",
        "nothing",
        "Can't think of anything.",
        "Keep doing what you're doing.",
        "Don't know",
    ],
    "hedge": [
        "To be honest, ",
        "Honestly, ",
        "I guess ",
        "I suppose ",
        "I think ",
        "Tbh ",
        "If I'm honest, ",
        "Not gonna lie, ",
        "Hmm, ",
        "Well, ",
        "I'd say ",
        "Kind of silly but ",
    ],
}

PII_ANSWERS = [
    "Happy to talk more about this, email me at dave.morgan@example.com",
    "If someone wants to call me about the parts prices I'm on 07700 900418.",
]


# --------------------------------------------------------------------------
# Text machinery
# --------------------------------------------------------------------------
_SLOT_RE = re.compile(r"\{(\w+)\}")


def fill(template: str, rng: random.Random) -> str:
    """Replace every ``{slot}`` with a random choice from SLOTS (recursively)."""
    for _ in range(5):
        if "{" not in template:
            break
        template = _SLOT_RE.sub(lambda m: rng.choice(SLOTS[m.group(1)]), template)
    template = re.sub(r"([.!?] )([a-z])", lambda m: m.group(1) + m.group(2).upper(), template)
    return template[:1].upper() + template[1:] if template[:1].islower() else template


def _protected_words() -> frozenset[str]:
    words: list[str] = []
    for seg in SEGMENTS:
        for phrase in seg["wording"]:
            words.extend(re.findall(r"[a-z]+", phrase.lower()))
    return frozenset(words)


PROTECTED = _protected_words()
_KEYBOARD_NEIGHBOURS = {
    "a": "sq",
    "e": "wr",
    "i": "uo",
    "o": "ip",
    "n": "bm",
    "r": "et",
    "t": "ry",
    "s": "ad",
    "l": "k",
    "h": "gj",
    "c": "xv",
    "m": "n",
}


def typo(word: str, rng: random.Random) -> str:
    """One realistic keyboard slip: swap, drop, double or neighbour key."""
    i = rng.randrange(1, len(word) - 1)
    op = rng.random()
    if op < 0.35:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if op < 0.65:
        return word[:i] + word[i + 1 :]
    if op < 0.8:
        return word[:i] + word[i] + word[i:]
    ch = word[i].lower()
    if ch in _KEYBOARD_NEIGHBOURS:
        return word[:i] + rng.choice(_KEYBOARD_NEIGHBOURS[ch]) + word[i + 1 :]
    return word[:i] + word[i + 1 :]


def add_typos(text: str, rate: float, rng: random.Random) -> str:
    """Misspell about ``rate`` of the longer words, never a planted phrase word."""

    def repl(m: re.Match[str]) -> str:
        w = m.group(0)
        if len(w) < 4 or w.lower() in PROTECTED or rng.random() >= rate:
            return w
        return typo(w, rng)

    return re.sub(r"[A-Za-z]+", repl, text)


def lower_first(s: str) -> str:
    first = s.split(" ", 1)[0]
    if s.startswith(("I ", "I'", "Brewline", "PID")) or (len(first) > 1 and first.isupper()):
        return s
    return s[:1].lower() + s[1:]


HEDGED_KINDS = ("pain", "emotion", "wish", "story", "negated")


class Voice:
    """One writer: a segment plus personal habits (length, case, typos, emoji)."""

    def __init__(self, seg_key: str, rng: random.Random, verbosity: float | None = None):
        self.seg = seg_key
        self.rng = rng
        self.bank = BANKS[seg_key]
        self.verbosity = verbosity if verbosity is not None else rng.lognormvariate(0.0, 0.6)
        self.lowercase = rng.random() < 0.14
        self.no_final_stop = rng.random() < 0.25
        self.curly = rng.random() < 0.2
        self.emoji = rng.random() < 0.1
        self.typo_rate = rng.choice([0.0, 0.02, 0.04, 0.05, 0.06, 0.1])
        self.hedgy = rng.random() < 0.45
        self.used: list[str] = []

    # --- pieces ------------------------------------------------------------
    def pick(self, kind: str, seg: str | None = None) -> str:
        """A filled sentence of ``kind``, avoiding repeats for this writer."""
        seg = seg or self.seg
        bank = BANKS[seg]
        src = bank[kind] if kind in bank else COMMON[kind]
        for _ in range(6):
            if kind == "pain" and self.rng.random() < 0.5:
                sentence = self.combo(seg)
            else:
                sentence = fill(self.rng.choice(src), self.rng)
            if sentence not in self.used:
                break
        self.used.append(sentence)
        hedged = sentence.startswith(("Honestly", "To be honest", "I "))
        if kind in HEDGED_KINDS and self.hedgy and self.rng.random() < 0.3 and not hedged:
            sentence = self.rng.choice(COMMON["hedge"]) + lower_first(sentence)
        return sentence

    def combo(self, seg: str) -> str:
        parts = COMBOS[seg]
        rng = self.rng
        s = rng.choice(parts["subject"]) + " " + rng.choice(parts["predicate"])
        if rng.random() < 0.5:
            s += (", " if rng.random() < 0.7 else " - ") + rng.choice(parts["consequence"])
        return fill(s + rng.choice([".", ".", ".", "!", "..."]), rng)

    def pain(self) -> str:
        if self.rng.random() < 0.1:
            other = self.rng.choice([s["key"] for s in SEGMENTS if s["key"] != self.seg])
            return self.pick("leak", other)
        return self.pick("pain")

    def length_class(self) -> int:
        x = self.rng.random() * self.verbosity
        if x < 0.08:
            return 0
        if x < 0.3:
            return 1
        if x < 0.85:
            return 2
        return 3

    def finish(self, sentences: list[str], negative: bool = True) -> str:
        """Join sentences and apply this writer's habits."""
        rng = self.rng
        parts = [s for s in sentences if s]
        sep = " "
        if len(parts) >= 3 and rng.random() < 0.08:
            sep = rng.choice(["\n", "\n\n"])
        text = sep.join(parts)
        if self.lowercase:
            text = text.lower()
        if self.no_final_stop and text.endswith("."):
            text = text[:-1]
        if self.emoji and rng.random() < 0.5:
            text += " " + rng.choice(self.bank["emoji"] if negative else ["👍", "😊", "☕", "🙂"])
        if self.curly:
            text = text.replace("'", "\u2019")
            text = re.sub(r'"([^"]*)"', "\u201c\\1\u201d", text)
        return add_typos(text, self.typo_rate, rng)

    def short(self) -> str:
        s = self.pick("short")
        if self.hedgy and self.rng.random() < 0.15:
            s = self.rng.choice(COMMON["hedge"]) + s
        return s[:1].upper() + s[1:] if self.rng.random() < 0.6 else s

    # --- answers -----------------------------------------------------------
    def biggest_problem(self) -> str:
        rng = self.rng
        size = self.length_class()
        if size == 0:
            return self.finish([self.pick("oneword")])
        if size == 1:
            return self.finish([self.short()])
        out = [self.pain()]
        if rng.random() < 0.55:
            out.append(self.pick("emotion"))
        if rng.random() < 0.45:
            out.append(self.pain())
        if size == 3:
            if rng.random() < 0.5:
                out.insert(1, self.pick("story"))
            if rng.random() < 0.45:
                out.insert(0, self.pick("negated"))
            if rng.random() < 0.2:
                out.append(self.pick("offtopic"))
            if rng.random() < 0.25:
                out.append(self.pick("wish"))
        return self.finish(out)

    def one_change(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.08:
            return self.finish([self.pick("nochange")], negative=False)
        if r < 0.16:
            return self.finish([self.short()])
        out = [self.pick("wish")]
        size = self.length_class()
        if size >= 2 and rng.random() < 0.4:
            out.append(self.pick("emotion") if rng.random() < 0.5 else self.pain())
        if size == 3 and rng.random() < 0.5:
            out.append(self.pick("wish"))
        return self.finish(out)

    def anything_else(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.18:
            return ""
        if r < 0.4:
            return self.pick("nonanswer")
        if r < 0.58:
            out = [self.pick("positive") if rng.random() < 0.6 else self.pick("negated")]
            if rng.random() < 0.5:
                out.append(self.pick("gratitude"))
            return self.finish(out, negative=False)
        if r < 0.68:
            return self.finish([self.pick("offtopic")], negative=False)
        out = [self.pick("emotion") if rng.random() < 0.5 else self.pain()]
        if rng.random() < 0.4:
            out.append(self.pick("story"))
        if rng.random() < 0.3:
            out.append(self.pick("gratitude"))
        return self.finish(out)


def _dedupe(sentences: list[str]) -> list[str]:
    seen: list[str] = []
    for s in sentences:
        if s not in seen:
            seen.append(s)
    return seen


# --------------------------------------------------------------------------
# Survey
# --------------------------------------------------------------------------
def _segment_sizes(n: int) -> list[int]:
    sizes = [round(s["share"] * n) for s in SEGMENTS]
    sizes[0] += n - sum(sizes)
    return sizes


def planted_item_means(seg: dict[str, Any]) -> dict[str, float]:
    """Planted mean of each item as answered (reverse-keyed items mirrored)."""
    out = {}
    for code, _text, construct, reverse in ITEMS:
        m = seg["construct_means"][construct] + ITEM_OFFSETS[code]
        if reverse:
            m = 6.0 - m
        out[code] = round(min(4.8, max(1.2, m)), 2)
    return out


def _response_id(rng: random.Random) -> str:
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return "R_" + "".join(rng.choice(alphabet) for _ in range(15))


def _weighted(rng: random.Random, options: list[Any], weights: list[float]) -> Any:
    return rng.choices(options, weights=weights, k=1)[0]


def _clip_round(x: float, lo: int, hi: int) -> int:
    return int(min(hi, max(lo, round(x))))


def survey_columns() -> list[tuple[str, str, dict[str, str]]]:
    """(code, question text, import-id JSON) for every column, in export order."""
    tz = "Europe/London"
    meta = [
        ("StartDate", "Start Date", {"ImportId": "startDate", "timeZone": tz}),
        ("EndDate", "End Date", {"ImportId": "endDate", "timeZone": tz}),
        ("Status", "Response Type", {"ImportId": "status"}),
        ("IPAddress", "IP Address", {"ImportId": "ipAddress"}),
        ("Progress", "Progress", {"ImportId": "progress"}),
        ("Duration (in seconds)", "Duration (in seconds)", {"ImportId": "duration"}),
        ("Finished", "Finished", {"ImportId": "finished"}),
        ("RecordedDate", "Recorded Date", {"ImportId": "recordedDate", "timeZone": tz}),
        ("ResponseId", "Response ID", {"ImportId": "_recordId"}),
        ("RecipientLastName", "Recipient Last Name", {"ImportId": "recipientLastName"}),
        ("RecipientFirstName", "Recipient First Name", {"ImportId": "recipientFirstName"}),
        ("RecipientEmail", "Recipient Email", {"ImportId": "recipientEmail"}),
        ("ExternalReference", "External Data Reference", {"ImportId": "externalDataReference"}),
        ("LocationLatitude", "Location Latitude", {"ImportId": "locationLatitude"}),
        ("LocationLongitude", "Location Longitude", {"ImportId": "locationLongitude"}),
        ("DistributionChannel", "Distribution Channel", {"ImportId": "distributionChannel"}),
        ("UserLanguage", "User Language", {"ImportId": "userLanguage"}),
    ]
    q: list[tuple[str, str, dict[str, str]]] = [
        (
            "Q1",
            "Do you agree to take part in this survey? Your answers are anonymous and are "
            "used for research only.",
            {"ImportId": "QID1"},
        )
    ]
    for code, text, _c, _r in ITEMS:
        q.append((code, f"{MATRIX_STEM} - {text}", {"ImportId": "QID" + code[1:]}))
    q += [
        (
            "Q3",
            "Overall, how satisfied or dissatisfied are you with your Brewline machines?",
            {"ImportId": "QID3"},
        ),
        (
            "Q4",
            "How likely is it that you would recommend Brewline to a friend or colleague?",
            {"ImportId": "QID4"},
        ),
        (
            "Q4_NPS_GROUP",
            "How likely is it that you would recommend Brewline to a friend or colleague? - Group",
            {"ImportId": "QID4_NPS_GROUP"},
        ),
        ("Q5", "Which best describes your business?", {"ImportId": "QID5"}),
        ("Q6", "How many locations does your business operate?", {"ImportId": "QID6"}),
        ("Q7", "Which region are you based in?", {"ImportId": "QID7"}),
        ("Q8", "What is your role?", {"ImportId": "QID8"}),
        (
            "Q9",
            "Roughly how much do you spend per month on Brewline service and parts? (£)",
            {"ImportId": "QID9_TEXT"},
        ),
        ("Q10", "How many Brewline machines do you currently own?", {"ImportId": "QID10_TEXT"}),
        ("Q11", "How many years have you been a Brewline customer?", {"ImportId": "QID11_TEXT"}),
        (
            "Q12_TEXT",
            "What is the biggest problem you face with your Brewline machines?",
            {"ImportId": "QID12_TEXT"},
        ),
        (
            "Q13_TEXT",
            "If you could change one thing about Brewline, what would it be?",
            {"ImportId": "QID13_TEXT"},
        ),
        ("Q14_TEXT", "Anything else you'd like to tell us?", {"ImportId": "QID14_TEXT"}),
    ]
    return meta + q


# Question blocks in the order a respondent sees them (for unfinished rows).
BLOCKS = [
    ["Q1"],
    [c for c, *_ in ITEMS],
    ["Q3"],
    ["Q4", "Q4_NPS_GROUP"],
    ["Q5", "Q6", "Q7", "Q8"],
    ["Q9", "Q10", "Q11"],
    ["Q12_TEXT"],
    ["Q13_TEXT"],
    ["Q14_TEXT"],
]


def _respondent_answers(seg: dict[str, Any], rng: random.Random) -> dict[str, str]:
    """Substantive answers (Q1-Q14) of one respondent of segment ``seg``."""
    ans: dict[str, str] = {"Q1": "I agree"}
    means = planted_item_means(seg)
    acq = rng.gauss(0.0, ACQUIESCENCE_SD)
    for code, *_ in ITEMS:
        if rng.random() < 0.05:
            ans[code] = ""
            continue
        v = _clip_round(means[code] + acq + rng.gauss(0.0, LIKERT_NOISE_SD), 1, 5)
        ans[code] = LIKERT_LABELS[v - 1]
    sat = _clip_round(rng.gauss(seg["satisfaction_mean"], 0.9), 1, 5)
    ans["Q3"] = SAT_LABELS[sat - 1]
    nps = _clip_round(1.9 * sat - 0.5 + rng.gauss(0.0, 1.2), 0, 10)
    ans["Q4"] = {0: "0 - Not at all likely", 10: "10 - Extremely likely"}.get(nps, str(nps))
    ans["Q4_NPS_GROUP"] = "Promoter" if nps >= 9 else "Passive" if nps >= 7 else "Detractor"
    btype = _weighted(rng, BUSINESS_TYPES, seg["business"])
    locs = _weighted(rng, LOCATIONS, seg["locations"])
    ans["Q5"], ans["Q6"] = btype, locs
    ans["Q7"] = _weighted(rng, [r[0] for r in REGIONS], REGION_WEIGHTS)
    ans["Q8"] = _weighted(rng, ROLES, seg["roles"])
    if seg["key"] == "chain":
        per_site = rng.choice([1, 2, 2, 3])
        sites = {
            "1": 1,
            "2-5": rng.randint(2, 5),
            "6-20": rng.randint(6, 20),
            "20+": rng.randint(21, 40),
        }[locs]
        machines = sites * per_site
        spend = machines * rng.lognormvariate(4.0, 0.35)
    else:
        base_machines = {"cost": [1, 1, 1, 2], "quality": [1, 2, 2, 3], "office": [1, 2, 3, 4, 6]}[
            seg["key"]
        ]
        machines = rng.choice(base_machines)
        median = {"cost": 85.0, "quality": 140.0, "office": 110.0}[seg["key"]]
        spend = rng.lognormvariate(0.0, 0.45) * median * (1 + 0.4 * (machines - 1))
    spend = round(spend / 5) * 5 if spend > 100 else round(spend)
    ans["Q9"] = (
        "" if rng.random() < 0.04 else (f"{spend}.50" if rng.random() < 0.05 else str(spend))
    )
    ans["Q10"] = str(machines)
    ans["Q11"] = str(max(1, min(15, round(rng.lognormvariate(1.2, 0.6)))))
    voice = Voice(seg["key"], rng)
    ans["Q12_TEXT"] = "" if rng.random() < 0.04 else voice.biggest_problem()
    ans["Q13_TEXT"] = "" if rng.random() < 0.08 else voice.one_change()
    ans["Q14_TEXT"] = voice.anything_else()
    return ans


def _ip(rng: random.Random) -> str:
    first = rng.choice([81, 86, 90, 92, 109, 151, 176, 185, 212, 217])
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def generate_survey(rng: random.Random) -> tuple[list[list[str]], list[dict[str, Any]]]:
    """Return (csv rows incl. the three header rows, truth rows)."""
    columns = survey_columns()
    sizes = _segment_sizes(N_UNIQUE_RESPONDENTS)
    seg_idx = [i for i, n in enumerate(sizes) for _ in range(n)]
    rng.shuffle(seg_idx)

    n = N_UNIQUE_RESPONDENTS
    order = list(range(n))
    rng.shuffle(order)
    straightliners = set(order[:7])
    speeders = set(order[4:12])  # 3 respondents are both
    unfinished = set(order[12:18])
    refused = order[18]
    pii = order[19:21]

    t0 = dt.datetime(2026, 3, 2, 7, 0, 0)
    people: list[dict[str, Any]] = []
    used_ids: set[str] = set()
    for i in range(n):
        seg = SEGMENTS[seg_idx[i]]
        ans = _respondent_answers(seg, rng)
        rid = _response_id(rng)
        while rid in used_ids:
            rid = _response_id(rng)
        used_ids.add(rid)
        start = t0 + dt.timedelta(
            days=rng.randint(0, 24),
            hours=rng.randint(0, 14),
            minutes=rng.randint(0, 59),
            seconds=rng.randint(0, 59),
        )
        duration = int(rng.lognormvariate(6.3, 0.45))
        progress, finished = 100, True
        if i in straightliners:
            label = rng.choice(
                [LIKERT_LABELS[2], LIKERT_LABELS[3], LIKERT_LABELS[3], LIKERT_LABELS[4]]
            )
            for code, *_ in ITEMS:
                ans[code] = label
            ans["Q12_TEXT"] = rng.choice(["", "no", "fine", ans["Q12_TEXT"]])
            ans["Q14_TEXT"] = ""
        if i in speeders:
            duration = rng.randint(38, 105)
            ans["Q12_TEXT"] = rng.choice(["", "", "ok", "Price", "na", "good"])
            ans["Q13_TEXT"] = rng.choice(["", "", "no", "."])
            ans["Q14_TEXT"] = ""
        if i in pii:
            ans["Q14_TEXT"] = PII_ANSWERS[pii.index(i)]
        if i in unfinished or i == refused:
            progress = rng.choice([12, 23, 41, 56, 67, 89]) if i != refused else 4
            finished = False
            if i == refused:
                ans["Q1"] = "I do not agree"
                done = 1
            else:
                done = max(1, round(progress / 100 * len(BLOCKS)))
            for block in BLOCKS[done:]:
                for code in block:
                    ans[code] = ""
            duration = rng.randint(60, 900)
        end = start + dt.timedelta(seconds=duration)
        recorded = end + dt.timedelta(seconds=rng.randint(0, 3))
        if not finished:
            # Qualtrics closes partial responses when the session expires.
            recorded = end + dt.timedelta(days=7)
        region = {r[0]: r for r in REGIONS}.get(ans.get("Q7") or "", rng.choice(REGIONS))
        meta = {
            "StartDate": start.strftime("%Y-%m-%d %H:%M:%S"),
            "EndDate": end.strftime("%Y-%m-%d %H:%M:%S"),
            "Status": "IP Address",
            "IPAddress": _ip(rng),
            "Progress": str(progress),
            "Duration (in seconds)": str(duration),
            "Finished": "True" if finished else "False",
            "RecordedDate": recorded.strftime("%Y-%m-%d %H:%M:%S"),
            "ResponseId": rid,
            "RecipientLastName": "",
            "RecipientFirstName": "",
            "RecipientEmail": "",
            "ExternalReference": "",
            "LocationLatitude": f"{region[1] + rng.uniform(-0.25, 0.25):.4f}",
            "LocationLongitude": f"{region[2] + rng.uniform(-0.35, 0.35):.4f}",
            "DistributionChannel": "anonymous",
            "UserLanguage": "EN",
        }
        people.append(
            {
                "row": {**meta, **ans},
                "truth": {
                    "ResponseId": rid,
                    "segment": seg["name"],
                    "segment_index": seg_idx[i],
                    "is_straightliner": i in straightliners,
                    "is_speeder": i in speeders,
                    "is_duplicate": False,
                    "duplicate_of": "",
                    "is_unfinished": not finished,
                },
                "recorded": recorded,
            }
        )

    # Resubmissions: same person, same answers, a new ResponseId some minutes later.
    finished_people = [
        p for p in people if p["truth"]["is_unfinished"] is False and p["row"]["Q12_TEXT"]
    ]
    for src in rng.sample(finished_people, N_DUPLICATES):
        row = dict(src["row"])
        shift = dt.timedelta(minutes=rng.randint(3, 40))
        for key in ("StartDate", "EndDate", "RecordedDate"):
            row[key] = (dt.datetime.strptime(row[key], "%Y-%m-%d %H:%M:%S") + shift).strftime(
                "%Y-%m-%d %H:%M:%S"
            )
        rid = _response_id(rng)
        row["ResponseId"] = rid
        truth = dict(
            src["truth"], ResponseId=rid, is_duplicate=True, duplicate_of=src["truth"]["ResponseId"]
        )
        people.append({"row": row, "truth": truth, "recorded": src["recorded"] + shift})

    people.sort(key=lambda p: (p["recorded"], p["row"]["ResponseId"]))
    rows = [
        [c[0] for c in columns],
        [c[1] for c in columns],
        [json.dumps(c[2], separators=(",", ":")) for c in columns],
    ]
    for p in people:
        rows.append([p["row"][c[0]] for c in columns])
    return rows, [p["truth"] for p in people]


def write_csv(path: Path, rows: list[list[str]], bom: bool = False, crlf: bool = False) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n" if crlf else "\n")
    writer.writerows(rows)
    data = buf.getvalue().encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)


# --------------------------------------------------------------------------
# Interviews
# --------------------------------------------------------------------------
FILLERS = ["um, ", "uh, ", "you know, ", "like, ", "I mean, ", "so, ", "erm, ", "well, "]
QUESTIONS = {
    "intro": [
        "Thanks for making the time today. Is it okay if we record this?",
        "Thanks for joining. Before we start, are you happy for me to record?",
    ],
    "business": [
        "Could you start by telling me a bit about your business?",
        "So, tell me a little about where you work and what you do.",
    ],
    "machines": [
        "Which Brewline machines do you have at the moment?",
        "And how many machines are we talking about?",
    ],
    "day": [
        "Can you walk me through a typical day with the machine?",
        "What does a normal morning look like for you and the machine?",
    ],
    "pain": [
        "What's the biggest headache with it?",
        "What's the one thing that gets in the way most?",
        "What frustrates you most about the machines?",
    ],
    "story": [
        "Can you tell me about the last time that happened?",
        "When was the last time that happened? What happened?",
    ],
    "feel": ["How did that make you feel?", "And how did you feel about that?"],
    "probe": [
        "Why does that matter so much to you?",
        "How often does that happen?",
        "Can you say a bit more about that?",
        "Why is that, do you think?",
    ],
    "compare": [
        "Have you looked at other brands at all?",
        "How does Brewline compare with other machines you've used?",
    ],
    "positive": ["Is there anything you actually like about it?", "What works well for you?"],
    "wish": [
        "If you could change one thing about Brewline, what would it be?",
        "If you had a magic wand, what would you fix first?",
    ],
    "else": [
        "Is there anything else you'd like to add?",
        "Anything we haven't covered that you think matters?",
    ],
    "close": [
        "That's brilliant, thank you so much for your time.",
        "Great, that's everything from me. Thanks a lot.",
    ],
}
BACKCHANNEL = ["Mm-hm.", "Right.", "Okay.", "Yeah, go on.", "I see.", "Got it."]
DAY_ANSWERS = {
    "cost": [
        "I open at seven, switch it on, and while it heats up I do the float and the pastries. It's fine most days, it's just when something goes that it hurts.",
        "Honestly it's me on the machine all day. I clean it myself at close because I'm not paying someone to do it.",
        "Open up, switch on, coffee for the builders at half seven, then it's steady till lunch. I keep an eye on it because I can't afford for it to break.",
    ],
    "quality": [
        "We come in at half six and spend a good half hour getting the espresso dialled in, tasting, adjusting the grind, tasting again.",
        "First thing is dialling in, then we check the steam wand, purge it, steam a test jug. If the microfoam's off we know it's going to be a long day.",
        "We weigh every shot, log the times on a whiteboard, and adjust through the day. So we notice when it drifts, believe me.",
    ],
    "office": [
        "It's on all day in the kitchen, people just help themselves. I only really look at it when something beeps.",
        "Honestly I don't use it much myself, I'm the one who gets the email when the flashing light comes on.",
        "Somebody switches it on when they get in, and then it just sort of runs. Until it doesn't, and then it's my problem.",
    ],
    "chain": [
        "Every site opens at six thirty, and by seven there's a queue out the door, so the machine has to be on and working, no excuses.",
        "The managers at each site do a check at open and log anything in our system, and then it lands on my desk if it's a fault.",
        "I'm mostly looking at a spreadsheet of faults, which sites are down, who's been called, what the response time was.",
    ],
}
SHORT_REPLIES = [
    "Yeah.",
    "Yeah, that's fine.",
    "Sure, go ahead.",
    "Yep.",
    "No, that's fine.",
    "Of course.",
]
CLOSE_REPLIES = [
    "No worries.",
    "Cheers, take care.",
    "Thanks, bye now.",
    "No problem at all, good luck with it.",
]


def disfluent(text: str, rng: random.Random, rate: float = 0.25) -> str:
    """Add spoken fillers, false starts and hesitations to a sentence sequence."""
    out = []
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if sentence and rng.random() < rate:
            sentence = rng.choice(FILLERS) + lower_first(sentence)
            sentence = sentence[:1].upper() + sentence[1:]
        if rng.random() < rate / 3:
            words = sentence.split(" ")
            if len(words) > 4:
                k = rng.randrange(1, len(words) - 2)
                words.insert(k, words[k].strip(",.") + "-")
                sentence = " ".join(words)
        out.append(sentence)
    return " ".join(out)


def _answer(kind: str, seg_key: str, voice: Voice, rng: random.Random, question: str = "") -> str:
    bank = BANKS[seg_key]
    if kind == "intro":
        return rng.choice(SHORT_REPLIES)
    if kind == "business":
        return fill(rng.choice(bank["business"]), rng)
    if kind == "machines":
        return fill(rng.choice(bank["machines"]), rng)
    if kind == "day":
        return rng.choice(DAY_ANSWERS[seg_key])
    if kind == "pain":
        parts = [voice.pick("pain")]
        if rng.random() < 0.7:
            parts.append(voice.pick("pain"))
        if rng.random() < 0.5:
            parts.append(voice.pick("emotion"))
        return " ".join(_dedupe(parts))
    if kind == "story":
        return voice.pick("story")
    if kind in ("probe", "probe2"):
        # "How often" gets a frequency answer, the other probes get a reason.
        often = [a for a in bank["why"] if a.startswith("It happens")]
        reasons = [a for a in bank["why"] if not a.startswith("It happens")]
        return fill(rng.choice(often if "how often" in question.lower() else reasons), rng)
    if kind == "compare":
        return fill(rng.choice(bank["compare"]), rng)
    if kind == "feel":
        if rng.random() < 0.2:
            return (
                rng.choice(["Annoyed, I suppose.", "Not great.", "Honestly? Fed up."])
                if seg_key in ("cost", "chain")
                else rng.choice(["A bit lost.", "Disappointed, mostly."])
            )
        return " ".join(_dedupe([voice.pick("emotion"), voice.pick("emotion")]))
    if kind == "secondary":
        return " ".join(
            _dedupe(
                [
                    voice.pick("pain"),
                    voice.pick("story") if rng.random() < 0.4 else voice.pick("emotion"),
                ]
            )
        )
    if kind == "positive":
        return " ".join([voice.pick("negated"), voice.pick("positive")])
    if kind == "wish":
        return " ".join(_dedupe([voice.pick("wish"), voice.pick("wish")]))
    if kind == "else":
        return rng.choice(
            [
                "No, I think that's it.",
                "Not really, no.",
                voice.pick("offtopic"),
                voice.pick("wish"),
            ]
        )
    if kind == "close":
        return rng.choice(CLOSE_REPLIES)
    raise ValueError(kind)


BUSINESS_OVERRIDE = {
    "Lucy Chen": "I run the coffee programme in our flagship hotel, the lobby café and the all-day restaurant.",
    "Mark Ellis": "And I'm group operations, so I look after all twelve properties, which is about forty machines.",
}


def build_interview(
    participants: list[tuple[str, str]], interviewer: str, rng: random.Random, max_turns: int = 25
) -> list[tuple[str, str, str]]:
    """Turns (speaker label, role, text) of one interview.

    ``participants`` lists (label, segment key); role is "interviewer" or "customer".
    """
    turns: list[tuple[str, str, str]] = []
    voices = {label: Voice(seg, rng, verbosity=1.0) for label, seg in participants}
    for v in voices.values():
        # transcripts are typed by a transcriber, not the speaker
        v.typo_rate, v.emoji, v.lowercase, v.curly = 0.0, False, False, False
    plan = [
        "intro",
        "business",
        "machines",
        "day",
        "pain",
        "probe",
        "story",
        "feel",
        "secondary",
        "probe2",
        "positive",
        "compare",
        "wish",
        "else",
        "close",
    ]
    drop = rng.sample(
        ["machines", "day", "feel", "positive", "else", "probe2", "compare"], rng.randint(1, 3)
    )
    plan = [p for p in plan if p not in drop]
    alt = 0
    asked_qs: list[str] = []
    for step in plan:
        # Keep room for the wish and the close: a step adds at most 4 turns (6 in a group).
        step_max, reserve = (4, 6) if len(participants) == 1 else (3, 5)
        if len(turns) + step_max > max_turns - reserve and step not in ("wish", "close"):
            continue
        if len(participants) == 1 or step in ("intro", "close"):
            asked = participants[:1]
        elif step in ("business", "pain", "wish"):
            asked = participants
        else:
            asked = [participants[alt % len(participants)]]
            alt += 1
        first_label, first_seg = asked[0]
        if step == "secondary":
            q = BANKS[first_seg]["secondary_q"]
        else:
            options = [
                o for o in QUESTIONS["probe" if step == "probe2" else step] if o not in asked_qs
            ]
            q = rng.choice(options)
            asked_qs.append(q)
        if len(participants) > 1 and len(asked) == 1 and step not in ("intro", "close"):
            q = f"{first_label.split()[0]}, {lower_first(q)}"
        # Interruption: the participant cuts into the question.
        if step in ("story", "feel", "wish", "probe") and rng.random() < 0.3 and len(turns) > 2:
            words = q.split(" ")
            q = " ".join(words[: max(2, len(words) * 2 // 3)]).rstrip("?,.") + "\u2014"
            turns.append((interviewer, "interviewer", q))
            reply = disfluent(_answer(step, first_seg, voices[first_label], rng, q), rng)
            turns.append(
                (
                    first_label,
                    "customer",
                    "\u2014" + rng.choice(["yeah, ", "sorry, ", "oh, ", ""]) + lower_first(reply),
                )
            )
            continue
        turns.append((interviewer, "interviewer", q))
        for k, (label, seg) in enumerate(asked):
            if step == "business" and label in BUSINESS_OVERRIDE:
                text = BUSINESS_OVERRIDE[label]
            else:
                text = disfluent(_answer(step, seg, voices[label], rng, q), rng)
            if k > 0 and rng.random() < 0.6:
                # The second participant reacts to the first before answering.
                first = asked[0][0].split()[0]
                text = rng.choice(
                    [
                        f"Yeah, I'd agree with {first} there, but for me it's different. ",
                        "Can I just jump in on that? ",
                        f"Sorry, just to build on what {first} said. ",
                        "Same for us, to be honest, but ",
                    ]
                ) + (text if text.startswith("I ") or text.endswith("?") else lower_first(text))
            sentences = re.split(r"(?<=[.!?])\s+", text)
            if len(participants) == 1 and len(sentences) >= 3 and rng.random() < 0.35:
                cut = len(sentences) // 2
                turns.append((label, "customer", " ".join(sentences[:cut])))
                turns.append((interviewer, "interviewer", rng.choice(BACKCHANNEL)))
                turns.append((label, "customer", " ".join(sentences[cut:])))
            else:
                turns.append((label, "customer", text))
    return turns


def _ts(seconds: float, sep: str = ".") -> str:
    ms = round(seconds * 1000)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _timed(
    turns: list[tuple[str, str, str]], rng: random.Random
) -> list[tuple[float, float, str, str, str]]:
    """Attach start/end seconds to turns (about 2.6 words per second)."""
    t = rng.uniform(1.0, 4.0)
    out = []
    for label, role, text in turns:
        dur = max(0.8, len(text.split()) / 2.6)
        out.append((t, t + dur, label, role, text))
        t += dur + rng.uniform(0.2, 1.6)
    return out


def _chunks(text: str, size: int = 16) -> list[str]:
    words = text.split(" ")
    return [" ".join(words[i : i + size]) for i in range(0, len(words), size)]


def render_txt(turns, style: str, rng: random.Random, header: str = "") -> str:
    lines = [header, ""] if header else []
    if style == "labels":
        for label, _role, text in turns:
            lines += [f"{label}: {text}", ""]
    elif style == "qa":
        for _label, role, text in turns:
            lines.append(f"{'Q' if role == 'interviewer' else 'A'}: {text}")
    elif style == "timestamps":
        for start, _end, label, _role, text in _timed(turns, rng):
            lines += [f"[{_ts(start)[:8]}] {label}: {text}", ""]
    elif style == "markdown":
        for label, _role, text in turns:
            lines += [f"**{label}**: {text}", ""]
    else:
        raise ValueError(style)
    return "\n".join(lines).rstrip("\n") + "\n"


def render_vtt(turns, style: str, rng: random.Random) -> str:
    lines = ["WEBVTT", ""]
    n = 0
    for start, end, label, _role, text in _timed(turns, rng):
        pieces = _chunks(text)
        step = (end - start) / len(pieces)
        for k, piece in enumerate(pieces):
            n += 1
            a, b = start + k * step, start + (k + 1) * step
            if style == "voice":
                lines += [f"{_ts(a)} --> {_ts(b)}", f"<v {label}>{piece}</v>", ""]
            else:  # Zoom-style: numbered cues, "Name: text" repeated on every cue
                lines += [str(n), f"{_ts(a)} --> {_ts(b)}", f"{label}: {piece}", ""]
    return "\n".join(lines)


def render_srt(turns, rng: random.Random) -> str:
    lines = []
    n = 0
    for start, end, label, _role, text in _timed(turns, rng):
        pieces = _chunks(text, 14)
        step = (end - start) / len(pieces)
        for k, piece in enumerate(pieces):
            n += 1
            a, b = start + k * step, start + (k + 1) * step
            # Only the first cue of a turn carries the speaker name, as many tools do.
            lines += [
                str(n),
                f"{_ts(a, ',')} --> {_ts(b, ',')}",
                f"{label}: {piece}" if k == 0 else piece,
                "",
            ]
    return "\n".join(lines)


FIXED_TIME = dt.datetime(2026, 3, 20, 12, 0, 0)


def write_docx(path: Path, title: str, subtitle: str, turns) -> None:
    """Write a 'Name: text' transcript as DOCX with fixed metadata and zip timestamps."""
    from docx import Document

    doc = Document()
    cp = doc.core_properties
    cp.author = "Brewline Research"
    cp.last_modified_by = "Brewline Research"
    cp.title = title
    cp.created = FIXED_TIME
    cp.modified = FIXED_TIME
    cp.revision = 1
    doc.add_heading(title, level=1)
    doc.add_paragraph().add_run(subtitle).italic = True
    for label, _role, text in turns:
        para = doc.add_paragraph()
        para.add_run(f"{label}:").bold = True
        para.add_run(f" {text}")
    raw = io.BytesIO()
    doc.save(raw)
    src = zipfile.ZipFile(io.BytesIO(raw.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.create_system = 3
            zi.external_attr = 0o644 << 16
            z.writestr(zi, src.read(info.filename))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())


# file, format/style, interviewer label, [(participant label, segment key)], header
INTERVIEWS: list[tuple[str, str, str, list[tuple[str, str]], str]] = [
    (
        "interview_01_jane_doe.txt",
        "txt:labels",
        "Interviewer",
        [("Jane Doe", "cost")],
        "Interview with Jane Doe, café owner - 4 March 2026",
    ),
    (
        "interview_02_barista.txt",
        "txt:qa",
        "Q",
        [("A", "quality")],
        "Brewline customer interview #2 (head barista, specialty café)",
    ),
    ("interview_03_p3.txt", "txt:labels", "Interviewer", [("P3", "office")], ""),
    ("interview_04_otter.txt", "txt:timestamps", "Speaker 1", [("Speaker 2", "chain")], ""),
    (
        "interview_05_priya.md",
        "md",
        "Moderator",
        [("Priya", "quality")],
        "# Interview 05 - Priya, roastery café\n\n_Recorded 9 March 2026, video call._",
    ),
    ("interview_06_tom.vtt", "vtt:voice", "Interviewer", [("Tom Hargreaves", "cost")], ""),
    ("interview_07_aisha.vtt", "vtt:names", "Interviewer", [("Aisha Khan", "office")], ""),
    ("interview_08_ops.vtt", "vtt:voice", "Researcher", [("Ravi Mehta", "chain")], ""),
    ("interview_09_gareth.srt", "srt", "Interviewer", [("Gareth", "cost")], ""),
    (
        "interview_10_helen.docx",
        "docx",
        "Interviewer",
        [("Helen Wright", "office")],
        "Brewline customer interview 10",
    ),
    (
        "interview_11_dan.docx",
        "docx",
        "Moderator",
        [("Dan Okafor", "chain")],
        "Brewline customer interview 11",
    ),
    (
        "interview_12_hotel_group.docx",
        "docx",
        "Moderator",
        [("Lucy Chen", "quality"), ("Mark Ellis", "chain")],
        "Brewline group interview 12 - hotel group (two participants)",
    ),
]


def generate_interviews(out: Path, rng: random.Random) -> list[dict[str, Any]]:
    truth = []
    for fname, fmt, interviewer, participants, header in INTERVIEWS:
        turns = build_interview(
            participants,
            interviewer,
            rng,
            max_turns=25 if len(participants) > 1 else rng.randint(20, 26),
        )
        path = out / "interviews" / fname
        path.parent.mkdir(parents=True, exist_ok=True)
        kind, _, style = fmt.partition(":")
        if kind == "txt":
            path.write_text(render_txt(turns, style, rng, header), encoding="utf-8", newline="\n")
        elif kind == "md":
            path.write_text(
                render_txt(turns, "markdown", rng, header), encoding="utf-8", newline="\n"
            )
        elif kind == "vtt":
            path.write_text(render_vtt(turns, style, rng), encoding="utf-8", newline="\n")
        elif kind == "srt":
            path.write_text(render_srt(turns, rng), encoding="utf-8", newline="\n")
        elif kind == "docx":
            write_docx(path, header, "Recorded March 2026, video call, transcribed by hand.", turns)
        for label, seg_key in participants:
            seg = SEG_BY_KEY[seg_key]
            truth.append(
                {
                    "file": fname,
                    "participant": label,
                    "interviewer_label": interviewer,
                    "segment": seg["name"],
                    "segment_index": SEGMENTS.index(seg),
                    "n_turns": sum(1 for t in turns if t[0] == label),
                    "n_turns_total": len(turns),
                }
            )
    return truth


# --------------------------------------------------------------------------
# Reviews
# --------------------------------------------------------------------------
PRODUCTS = [
    "Brewline Duo",
    "Brewline Solo Pro",
    "Brewline Office One",
    "Brewline Barista X2",
    "Brewline Compact",
]
SOURCES = ["website", "Google", "Trustpilot"]
FIRMWARE_RELEASE = dt.date(2026, 2, 10)

REVIEW_BANK: dict[str, list[str]] = {
    "firmware": [
        "Since the 4.2 firmware update the machine keeps rebooting mid-shot.",
        "After the latest firmware update the touchscreen freezes every morning.",
        "The firmware update wiped all our drink settings and we had to set everything up again.",
        "Firmware 4.2 has made the steam pressure drop and there's no way to roll it back.",
        "The app won't connect to the machine since the update.",
        "Error E42 after the firmware update, support says wait for a patch.",
        "The firmware update bricked our machine for two days.",
        "Why push a firmware update on a Friday night?? Machine was dead on Saturday morning.",
        "Since the update it takes ten minutes to wake up from standby.",
        "The new menu layout after the update makes no sense at all.",
    ],
    "delivery": [
        "Delivery was three weeks late with no updates.",
        "It arrived with a dented drip tray and a cracked panel.",
        "Installation was rescheduled twice, we opened without a machine.",
        "The courier left a 60kg machine on the pavement outside the shop.",
        "Delivery slot was 8 till 6, nobody turned up, rebooked for the following week.",
        "The installer forgot the water filter kit so it couldn't be plumbed in.",
    ],
    "praise_coffee": [
        "Fantastic coffee, our customers have noticed the difference.",
        "Shots are rich and sweet and the milk texture is lovely.",
        "Best machine we've owned, the espresso is superb.",
        "Great build quality and the coffee tastes brilliant.",
        "Looks gorgeous on the counter and pulls a great shot.",
        "Really consistent once it's warmed up, very happy.",
    ],
    "praise_service": [
        "The engineer came out the same day and fixed it in twenty minutes.",
        "Support were brilliant on the phone, talked me through it step by step.",
        "{tech} from Brewline is a legend, always sorts us out.",
        "Annual service was quick and tidy, no complaints.",
        "Really helpful team, replaced a part under warranty with no fuss.",
    ],
    "praise_ease": [
        "Dead easy to use, our staff picked it up in a day.",
        "The one-touch cleaning is a lifesaver.",
        "Simple, reliable, does exactly what it says.",
        "Our office loves it, no more queues at the café across the road.",
        "Easy to clean and the descale reminder is clear.",
    ],
    "closer_neg": [
        "Would not recommend.",
        "Avoid.",
        "Very disappointed overall.",
        "Sort it out, Brewline.",
        "Two stars because the coffee is still good.",
        "Thinking about switching brands.",
        "Please fix this!",
        "",
    ],
    "closer_pos": [
        "Highly recommend!",
        "Would buy again.",
        "Five stars.",
        "Thank you Brewline!",
        "Recommended.",
        "",
    ],
}
REVIEW_TOPICS: list[dict[str, Any]] = [
    {
        "topic": "price of parts and service",
        "pain": "price of parts and service contracts",
        "category": "price/value",
        "bank": "cost",
        "weight": 0.17,
        "ratings": [35, 40, 20, 5, 0],
        "products": [25, 30, 10, 10, 25],
        "titles": [
            "Rip-off parts prices",
            "Costs an arm and a leg to run",
            "Great coffee, shame about the prices",
            "Service contract not worth it",
            "Overpriced parts",
            "Daylight robbery",
        ],
    },
    {
        "topic": "milk system and temperature",
        "pain": "inconsistent milk temperature and shots",
        "category": "reliability/quality",
        "bank": "quality",
        "weight": 0.13,
        "ratings": [20, 40, 30, 10, 0],
        "products": [40, 10, 0, 45, 5],
        "titles": [
            "Inconsistent shots",
            "Steam wand disappointing",
            "Not for specialty coffee",
            "Milk temperature all over the place",
            "Expected better",
        ],
    },
    {
        "topic": "cleaning and controls",
        "pain": "confusing cleaning routine and controls",
        "category": "usability",
        "bank": "office",
        "weight": 0.12,
        "ratings": [15, 40, 35, 10, 0],
        "products": [10, 5, 70, 5, 10],
        "titles": [
            "Too complicated",
            "Confusing cleaning cycle",
            "What does the flashing light mean?",
            "Not idiot-proof",
            "Too many buttons",
        ],
    },
    {
        "topic": "engineer response and downtime",
        "pain": "slow engineer response and downtime",
        "category": "service/support",
        "bank": "chain",
        "weight": 0.12,
        "ratings": [45, 40, 12, 3, 0],
        "products": [60, 20, 10, 5, 5],
        "titles": [
            "Engineer never turned up",
            "Downtime killing our business",
            "Terrible response times",
            "Useless service",
            "Still waiting for an engineer",
        ],
    },
    {
        "topic": "firmware update",
        "pain": "firmware update broke the machine",
        "category": "reliability/quality",
        "bank": "firmware",
        "weight": 0.0,
        "ratings": [50, 35, 12, 3, 0],
        "products": [35, 20, 25, 15, 5],
        "titles": [
            "Firmware update ruined it",
            "Update broke our machine",
            "Since the update...",
            "Do NOT install 4.2",
            "Firmware problems",
        ],
    },
    {
        "topic": "delivery and installation",
        "pain": "late or damaged delivery and installation",
        "category": "delivery/logistics",
        "bank": "delivery",
        "weight": 0.07,
        "ratings": [25, 35, 30, 10, 0],
        "products": [20, 20, 20, 20, 20],
        "titles": [
            "Late delivery",
            "Arrived damaged",
            "Installation a shambles",
            "Poor delivery experience",
        ],
    },
    {
        "topic": "coffee quality",
        "pain": "",
        "category": "",
        "bank": "praise_coffee",
        "weight": 0.21,
        "ratings": [0, 0, 5, 35, 60],
        "products": [30, 20, 10, 30, 10],
        "titles": [
            "Brilliant coffee",
            "Love it",
            "Great machine",
            "Best espresso in town",
            "Five stars",
        ],
    },
    {
        "topic": "helpful service",
        "pain": "",
        "category": "",
        "bank": "praise_service",
        "weight": 0.08,
        "ratings": [0, 0, 5, 30, 65],
        "products": [30, 20, 20, 20, 10],
        "titles": ["Excellent support", "Great engineer", "Service was spot on", "Really helpful"],
    },
    {
        "topic": "ease of use",
        "pain": "",
        "category": "",
        "bank": "praise_ease",
        "weight": 0.10,
        "ratings": [0, 0, 10, 40, 50],
        "products": [15, 15, 50, 5, 15],
        "titles": ["So easy", "Perfect for the office", "Simple and reliable", "Does the job"],
    },
]


def firmware_share(day: dt.date) -> float:
    """Planted change: firmware complaints appear after the 4.2 release (Feb 2026)."""
    if day < FIRMWARE_RELEASE:
        return 0.01
    if day < dt.date(2026, 5, 1):
        return (
            0.05
            + 0.30 * (day - FIRMWARE_RELEASE).days / (dt.date(2026, 5, 1) - FIRMWARE_RELEASE).days
        )
    if day < dt.date(2026, 9, 1):
        return 0.35
    return 0.25


def _review_text(topic: dict[str, Any], day: dt.date, rng: random.Random) -> tuple[str, str]:
    """(text, sentiment) of one review on ``topic`` written on ``day``."""
    bank = topic["bank"]
    neg = bool(topic["pain"])
    if bank in BANKS:
        voice = Voice(bank, rng)
        size = voice.length_class()
        out = [voice.pick("pain")]
        if size >= 2 and rng.random() < 0.6:
            out.append(voice.pick("emotion"))
        if size >= 2 and rng.random() < 0.4:
            out.append(voice.pick("pain"))
        if size == 3 and rng.random() < 0.6:
            out.insert(1, voice.pick("story"))
    else:
        voice = Voice(rng.choice(["cost", "quality", "office", "chain"]), rng)
        options = REVIEW_BANK[bank]
        if bank == "firmware" and day < FIRMWARE_RELEASE:
            options = [t for t in options if "4.2" not in t]
        out = [fill(rng.choice(options), rng)]
        if rng.random() < 0.4 * voice.verbosity:
            out.append(fill(rng.choice(options), rng))
        if neg and rng.random() < 0.5:
            out.append(
                rng.choice(
                    ["Really annoying.", "So frustrating.", "Not impressed.", "Fed up with it."]
                )
            )
    sentiment = "negative" if neg else "positive"
    if neg and rng.random() < 0.25:
        out.insert(0, voice.pick("negated") if rng.random() < 0.5 else voice.pick("positive"))
        sentiment = "mixed"
    if not neg and rng.random() < 0.5:
        out.append(voice.pick("positive"))
    if not neg and rng.random() < 0.12:
        out.append(voice.pick("leak"))
        sentiment = "mixed"
    closer = rng.choice(REVIEW_BANK["closer_neg" if neg else "closer_pos"])
    out.append(closer)
    return voice.finish(_dedupe([s for s in out if s]), negative=neg), sentiment


def generate_reviews(rng: random.Random) -> tuple[list[list[str]], list[dict[str, Any]]]:
    first, last = dt.date(2025, 1, 1), dt.date(2026, 10, 31)
    days = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
    growth = [0.7 + 0.6 * k / len(days) for k in range(len(days))]
    dates = sorted(rng.choices(days, weights=growth, k=N_REVIEWS))
    rows: list[list[str]] = [["review_id", "date", "rating", "product", "source", "title", "text"]]
    truth = []
    for k, day in enumerate(dates, start=1):
        f = firmware_share(day)
        weights = [
            f if t["topic"] == "firmware update" else t["weight"] * (1 - f) for t in REVIEW_TOPICS
        ]
        topic = _weighted(rng, REVIEW_TOPICS, weights)
        text, sentiment = _review_text(topic, day, rng)
        rating_w = list(topic["ratings"])
        if sentiment == "mixed":
            rating_w = [5, 25, 45, 20, 5] if topic["pain"] else [0, 5, 30, 45, 20]
        rating = _weighted(rng, [1, 2, 3, 4, 5], rating_w)
        title = rng.choice(topic["titles"])
        if rng.random() < 0.15:
            title = title.lower()
        rid = f"RV-{k:04d}"
        rows.append(
            [
                rid,
                day.isoformat(),
                str(rating),
                _weighted(rng, PRODUCTS, topic["products"]),
                _weighted(rng, SOURCES, [30, 40, 30]),
                title,
                text,
            ]
        )
        truth.append(
            {
                "review_id": rid,
                "topic": topic["topic"],
                "pain_point": topic["pain"],
                "pain_point_category": topic["category"],
                "sentiment": sentiment,
            }
        )
    return rows, truth


# --------------------------------------------------------------------------
# Truth and entry point
# --------------------------------------------------------------------------
def observed_means(
    survey_rows: list[list[str]], truth: list[dict[str, Any]]
) -> dict[int, dict[str, float]]:
    """Per-segment item means of clean respondents (finished, no flags)."""
    header = survey_rows[0]
    by_id = {t["ResponseId"]: t for t in truth}
    sums: dict[int, dict[str, list[int]]] = {
        i: {c: [] for c, *_ in ITEMS} for i in range(len(SEGMENTS))
    }
    for row in survey_rows[3:]:
        rec = dict(zip(header, row, strict=True))
        t = by_id[rec["ResponseId"]]
        if t["is_straightliner"] or t["is_speeder"] or t["is_duplicate"] or t["is_unfinished"]:
            continue
        for code, *_ in ITEMS:
            if rec[code]:
                sums[t["segment_index"]][code].append(LIKERT_LABELS.index(rec[code]) + 1)
    return {i: {c: round(sum(v) / len(v), 2) for c, v in d.items()} for i, d in sums.items()}


def segments_truth(survey_rows: list[list[str]], truth: list[dict[str, Any]]) -> dict[str, Any]:
    obs = observed_means(survey_rows, truth)
    unique = [t for t in truth if not t["is_duplicate"]]
    segs = []
    for i, seg in enumerate(SEGMENTS):
        segs.append(
            {
                "index": i,
                "name": seg["name"],
                "share": seg["share"],
                "n_respondents": sum(1 for t in unique if t["segment_index"] == i),
                "likert_means": planted_item_means(seg),
                "observed_likert_means": obs[i],
                "satisfaction_mean": seg["satisfaction_mean"],
                "pain_points": seg["pain_points"],
                "emotions": seg["emotions"],
                "emotion_label": seg["emotion_label"],
                "wording": seg["wording"],
                "business_type_weights": dict(zip(BUSINESS_TYPES, seg["business"], strict=True)),
            }
        )
    return {
        "study": "Brewline customer study 2026 (synthetic)",
        "seed": SEED,
        "likert_scale": LIKERT_LABELS,
        "likert_noise_sd": LIKERT_NOISE_SD,
        "items": [
            {"code": c, "text": t, "construct": k, "reverse_keyed": r} for c, t, k, r in ITEMS
        ],
        "reverse_keyed_items": [c for c, _t, _k, r in ITEMS if r],
        "constructs": {
            "A": "price sensitivity",
            "B": "quality focus",
            "C": "wish for simplicity",
            "D": "uptime and service needs",
        },
        "segments": segs,
        "reviews": {
            "planted_change": {
                "topic": "firmware update",
                "from": FIRMWARE_RELEASE.isoformat(),
                "description": "Firmware 4.2 released 2026-02-10; complaints about it rise from ~1% of reviews "
                "before to ~35% of reviews May-Aug 2026, easing to ~25% from September.",
            },
            "topics": [
                {"topic": t["topic"], "pain_point": t["pain"], "category": t["category"]}
                for t in REVIEW_TOPICS
            ],
        },
    }


def _dict_rows(records: list[dict[str, Any]]) -> list[list[str]]:
    header = list(records[0])
    return [header] + [[_cell(r[h]) for h in header] for r in records]


def _cell(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def generate(out: Path) -> list[Path]:
    """Write the whole sample study under ``out``; return the files written."""
    out = Path(out)
    survey_rows, resp_truth = generate_survey(random.Random(f"{SEED}-survey"))
    write_csv(out / SURVEY_FILE, survey_rows, bom=True, crlf=True)
    int_truth = generate_interviews(out, random.Random(f"{SEED}-interviews"))
    review_rows, review_truth = generate_reviews(random.Random(f"{SEED}-reviews"))
    write_csv(out / REVIEWS_FILE, review_rows)
    write_csv(out / "truth/respondents.csv", _dict_rows(resp_truth))
    write_csv(out / "truth/interviews.csv", _dict_rows(int_truth))
    write_csv(out / "truth/reviews.csv", _dict_rows(review_truth))
    seg_json = (
        json.dumps(segments_truth(survey_rows, resp_truth), indent=2, ensure_ascii=False) + "\n"
    )
    (out / "truth/segments.json").write_bytes(seg_json.encode("utf-8"))
    return sorted(
        p for p in out.rglob("*") if p.is_file() and p.suffix != ".py" and p.name != "README.md"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: samples/)")
    args = parser.parse_args(argv)
    files = generate(args.out)
    print(f"wrote {len(files)} files under {args.out}")


if __name__ == "__main__":
    main()
