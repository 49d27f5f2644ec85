#!/usr/bin/env python3
"""Writes english_corpus.txt: original English prose for training small BPE tokenizers.

Every sentence is assembled from the word lists and templates below, which were written for
radixlm; no third-party text is used. The output is deterministic (fixed seed), so rerunning
this script reproduces the committed file byte for byte:

    python3 src/engine/tokenizer/data/make_corpus.py > src/engine/tokenizer/data/english_corpus.txt
"""
import random

NAMES = """Ada Alan Amara Anton Aria Bao Bea Bruno Carla Chen Clara Dara Dev Eli Elena Emil Esme
Farah Felix Gita Hana Hugo Ida Ines Ivan Jade Jonah Kai Kira Lars Lena Leo Lina Luca Maya
Mei Milo Nadia Nico Nina Noor Omar Otto Pia Priya Quinn Rafael Rosa Sami Sara Soren Tara
Theo Uma Vera Viktor Wen Yara Yusuf Zane Zoe""".split()

PLACES = """the harbor|the library|the old mill|the market|the station|the valley|the workshop|
the garden|the museum|the lighthouse|the bakery|the school|the bridge|the river bank|
the north field|the town square|the observatory|the greenhouse|the train yard|the village hall|
the forest edge|the hospital|the laboratory|the farm|the theater|the airport|the canal|
the mountain pass|the quiet street|the city center""".replace("\n", "").split("|")

NOUNS = """river mountain window garden teacher student engine kettle lantern notebook letter
bicycle orchard painting question answer journey morning evening winter summer autumn spring
harvest machine program system network server request response memory window ladder bridge
village market festival compass storm cloud thunder rainbow meadow forest desert island ocean
harbor captain sailor farmer baker doctor nurse engineer writer painter musician singer
dancer carpenter gardener scientist student library museum theater kitchen table chair
blanket pillow candle mirror clock calendar map pencil basket bottle bucket hammer needle
thread ribbon button pocket jacket sweater boot umbrella suitcase ticket train airplane
tunnel station platform signal lamp battery cable switch sensor camera screen keyboard
printer document report budget invoice schedule meeting project deadline problem solution
method theory experiment result sample pattern signal error warning message channel
queue buffer token sentence paragraph chapter story poem song melody rhythm
recipe soup bread cheese apple orange lemon cherry tomato potato onion carrot pepper
garlic honey butter flour sugar salt coffee tea juice water milk cake cookie pie
horse rabbit fox wolf bear deer eagle owl sparrow salmon whale dolphin turtle beetle
spider butterfly bee ant cat dog puppy kitten goat sheep cow chicken duck goose
friend neighbor stranger family parent child grandmother grandfather sister brother
cousin uncle aunt partner colleague manager customer visitor traveler guide
idea plan reason choice chance habit promise secret lesson rule law right duty
history science music language mathematics geography chemistry physics biology
economy industry company factory office store shop restaurant hotel house apartment
roof wall floor door gate fence path road street highway corner square park field
hill valley lake pond stream waterfall cave cliff beach shore wave tide moon sun star
planet comet galaxy universe light shadow color sound silence voice noise""".split()

ADJECTIVES = """quiet bright dark warm cold gentle rough smooth heavy light narrow wide deep
shallow ancient modern simple complex careful careless honest clever curious patient
nervous calm busy lazy eager brave shy proud humble tired fresh old young new small
large tiny enormous quick slow steady sudden strange familiar distant nearby hidden
open closed empty full broken wooden metal golden silver green blue red yellow purple
orange gray white black brown pale rich poor clean dirty dry wet soft loud silent
sharp dull sweet bitter sour salty spicy fragile sturdy useful useless famous ordinary
rare common early late final main extra different similar important difficult easy
possible likely certain clear obvious strange lovely friendly polite serious funny""".split()

VERBS = [  # base, third person, past, -ing
    ("walk", "walks", "walked", "walking"), ("carry", "carries", "carried", "carrying"),
    ("build", "builds", "built", "building"), ("write", "writes", "wrote", "writing"),
    ("read", "reads", "read", "reading"), ("paint", "paints", "painted", "painting"),
    ("find", "finds", "found", "finding"), ("open", "opens", "opened", "opening"),
    ("close", "closes", "closed", "closing"), ("repair", "repairs", "repaired", "repairing"),
    ("watch", "watches", "watched", "watching"), ("follow", "follows", "followed", "following"),
    ("measure", "measures", "measured", "measuring"), ("study", "studies", "studied", "studying"),
    ("explain", "explains", "explained", "explaining"), ("remember", "remembers", "remembered",
                                                         "remembering"),
    ("forget", "forgets", "forgot", "forgetting"), ("bring", "brings", "brought", "bringing"),
    ("send", "sends", "sent", "sending"), ("receive", "receives", "received", "receiving"),
    ("cook", "cooks", "cooked", "cooking"), ("clean", "cleans", "cleaned", "cleaning"),
    ("plant", "plants", "planted", "planting"), ("collect", "collects", "collected",
                                                 "collecting"),
    ("describe", "describes", "described", "describing"), ("count", "counts", "counted",
                                                            "counting"),
    ("test", "tests", "tested", "testing"), ("check", "checks", "checked", "checking"),
    ("share", "shares", "shared", "sharing"), ("borrow", "borrows", "borrowed", "borrowing"),
    ("sell", "sells", "sold", "selling"), ("buy", "buys", "bought", "buying"),
    ("move", "moves", "moved", "moving"), ("lift", "lifts", "lifted", "lifting"),
    ("draw", "draws", "drew", "drawing"), ("sing", "sings", "sang", "singing"),
    ("teach", "teaches", "taught", "teaching"), ("learn", "learns", "learned", "learning"),
    ("visit", "visits", "visited", "visiting"), ("answer", "answers", "answered", "answering"),
    ("ask", "asks", "asked", "asking"), ("choose", "chooses", "chose", "choosing"),
    ("prepare", "prepares", "prepared", "preparing"), ("deliver", "delivers", "delivered",
                                                       "delivering"),
    ("notice", "notices", "noticed", "noticing"), ("improve", "improves", "improved",
                                                   "improving"),
    ("protect", "protects", "protected", "protecting"), ("design", "designs", "designed",
                                                         "designing"),
    ("organize", "organizes", "organized", "organizing"), ("examine", "examines", "examined",
                                                           "examining"),
]

ADVERBS = """slowly quickly carefully quietly happily sadly suddenly gently loudly softly
patiently eagerly calmly rarely often always never sometimes usually finally nearly
almost together alone again already still early late""".split()

CONNECTORS = ["Meanwhile", "Later that day", "In the morning", "After a while", "Before noon",
              "By evening", "At first", "In the end", "Some time later", "For a moment",
              "On Tuesday", "Last winter", "Every spring", "Once again", "Even so",
              "Because of the rain", "Despite the noise", "Without a word", "As expected",
              "To everyone's surprise"]

QUOTES = ["I think we should wait", "It's not finished yet", "We'll need more time",
          "That's exactly right", "Don't forget the key", "Where did you put it",
          "I've never seen anything like it", "You're late again", "They'd rather stay home",
          "Let's try once more", "It isn't far from here", "We can't leave now",
          "Who's going to tell them", "I'm almost ready", "She'll be glad to hear it"]


def article(word):
    return ("an " if word[0] in "aeiou" else "a ") + word


def number(rng):
    kind = rng.randrange(6)
    if kind == 0:
        return str(rng.randrange(2, 20))
    if kind == 1:
        return str(rng.randrange(20, 1000))
    if kind == 2:
        return f"{rng.randrange(1, 99)},{rng.randrange(0, 999):03d}"
    if kind == 3:
        return f"{rng.randrange(0, 100)}.{rng.randrange(0, 100):02d}"
    if kind == 4:
        return str(rng.randrange(1890, 2030))
    return f"{rng.randrange(1, 12)}:{rng.randrange(0, 60):02d}"


def sentence(rng):
    name, other = rng.sample(NAMES, 2)
    noun, noun2, noun3 = rng.sample(NOUNS, 3)
    adjective, adjective2 = rng.sample(ADJECTIVES, 2)
    verb, verb2 = rng.sample(VERBS, 2)
    place = rng.choice(PLACES)
    adverb = rng.choice(ADVERBS)
    connector = rng.choice(CONNECTORS)
    templates = [
        f"{name} {verb[2]} the {adjective} {noun} near {place}.",
        f"{connector}, {name} {adverb} {verb[2]} {article(adjective + ' ' + noun)}.",
        f"The {noun} was {adjective}, but the {noun2} looked {adjective2}.",
        f"{name} and {other} were {verb[3]} {noun}s at {place} until {number(rng)}.",
        f"\"{rng.choice(QUOTES)},\" {name} said, {verb[3]} the {noun}.",
        f"Why did {name} {verb[0]} the {noun2} before the {noun3} arrived?",
        f"There are {number(rng)} {noun}s in {place}, and {number(rng)} of them are {adjective}.",
        f"If you {verb[0]} the {noun} {adverb}, it {verb2[1]} the {noun2}.",
        f"{name}'s {noun} {verb2[2]} {other}'s {adjective} {noun2}.",
        f"Nobody knew why the {adjective} {noun} {verb[1]} {noun2}s every {rng.choice(['day', 'week', 'year', 'night'])}.",
        f"{name} wrote: the {noun} costs ${number(rng)} and weighs {number(rng)} kg.",
        f"In {rng.randrange(1890, 2030)}, {place} had {article(adjective)} {noun} and {number(rng)} {noun2}s.",
        f"{connector}, the {noun}s {verb[2]} {adverb}; the {noun2}s did not.",
        f"{name} asked {other} whether the {noun} was {adjective} or {adjective2}.",
        f"It's {adjective} to {verb[0]} {article(noun)} when the {noun2} is {adjective2}.",
        f"They've {verb[2]} the {noun} twice, and they'll {verb2[0]} it again tomorrow.",
        f"We're {verb[3]} {adverb}, so we don't need {article(adjective + ' ' + noun)}.",
        f"The {noun3} (which {name} {verb[2]}) is {adjective} - or at least {adjective2}.",
        f"Step {rng.randrange(1, 10)}: {verb[0]} the {noun}, then {verb2[0]} the {noun2}.",
        f"{name} {verb[1]} {noun}s; {other} {verb2[1]} {noun2}s.",
    ]
    return rng.choice(templates)


def paragraph(rng):
    return " ".join(sentence(rng) for _ in range(rng.randrange(3, 8)))


def main():
    rng = random.Random(20240611)
    out = []
    size = 0
    while size < 400_000:
        text = paragraph(rng)
        out.append(text)
        size += len(text) + 2
    print("\n\n".join(out))


if __name__ == "__main__":
    main()
