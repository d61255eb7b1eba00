"""Developer tool: concept word lists from WordNet, written to ``wordnet_concepts.tsv``.

Not imported at run time: the engine reads the file this writes. Needs Debian's
``wordnet-base`` (WordNet 3.0 database files in /usr/share/wordnet; read here directly, no
NLTK), and PyPI ``lemminflect`` 0.2.3 (inflections) and ``wordfreq`` 3.1.1 (to keep words
people actually type) in the Python that runs it:

    apt-get install wordnet-base
    python -m venv /tmp/kb && /tmp/kb/bin/pip install lemminflect==0.2.3 wordfreq==3.1.1
    /tmp/kb/bin/python screening/data/build_wordnet.py

Each *slot* is a set of seed senses (a lemma and words of its gloss, so the sense is
chosen, not every sense of the word), their synonyms and their hyponyms (troponyms, for
verbs) to a small depth; multi-word lemmas and words rarer than a Zipf frequency are left
out, then every inflection is added. What each slot is for:

- ``strike``: verbs of hitting someone (hit, punch, slap, kick, batter, thump…), for the
  risk stage's "X hit me", "dad's been hitting her";
- ``menace``: verbs of threatening, intimidating, harassing, stalking or following someone;
- ``injury``: nouns of bodily injury (bruise, burn, fracture, welt, graze…);
- ``alcohol``: drinks (wine, vodka, cider, lager…), for drinking to cope;
- ``occupation``: nouns of jobs and public roles (plumber, councillor, vicar, pcso…), for
  name-less identification ("the vicar's daughter", "the PCSO's stepson").
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

HERE = Path(__file__).parent
WORDNET = Path("/usr/share/wordnet")
_POS_FILE = {"v": "verb", "n": "noun"}

# slot: (part of speech, [(lemma, words of the wanted sense's gloss)], hyponym depth, Zipf)
SLOTS: dict[str, tuple[str, list[tuple[str, str]], int, float]] = {
    "strike": ("v", [("hit", "deal a blow"), ("beat", "give a beating"),
                     ("kick", "strike with the foot"), ("punch", "deliver a quick blow"),
                     ("slap", "hit with something flat"),
                     ("strangle", "kill by squeezing the throat"),
                     ("choke", "constrict (someone's) throat"), ("shove", "push roughly"),
                     ("throttle", "kill by squeezing")], 2, 2.5),
    "menace": ("v", [("threaten", "utter intentions of injury"),
                     ("intimidate", "make timid or fearful"),
                     ("intimidate", "compel or deter"), ("harass", "annoy continually"),
                     ("stalk", "follow stealthily"),
                     ("bully", "discourage or frighten with threats"),
                     ("terrorize", "fill with terror"),
                     ("hound", "pursue or chase relentlessly"),
                     ("blackmail", "exert pressure"), ("menace", "express a threat")],
               1, 2.5),
    "injury": ("n", [("injury", "any physical damage to the body"),
                     ("bruise", "an injury that doesn't break the skin"),
                     ("burn", "an injury caused by exposure to heat"),
                     ("fracture", "breaking of hard tissue"),
                     ("wound", "an injury to living tissue")], 2, 2.5),
    "alcohol": ("n", [("alcohol", "a liquor or brew"), ("wine", "fermented juice"),
                      ("beer", "alcoholic beverages made by fermenting"),
                      ("liquor", "an alcoholic beverage that is distilled")], 2, 3.0),
    "drug": ("n", [("drug_of_abuse", "taken for nonmedicinal reasons"),
                   ("sedative", "reduces excitability"), ("tranquilizer", "reduce stress"),
                   ("hypnotic", "induces sleep"), ("opiate", "contains opium"),
                   ("analgesic", "relieve pain"), ("cannabis", "the most commonly used")], 3, 2.5),
    "occupation": ("n", [("worker", "a person who works at a specific"),
                         ("professional", "engaged in one of the learned"),
                         ("official", "a worker who holds or is invested"),
                         ("clergyman", "a member of the clergy"),
                         ("politician", "a leader engaged in civil"),
                         ("owner", "a person who owns something")], 9, 2.5),
}
# senses that the closure brings in but chat never means by the slot
EXCLUDE = {
    "strike": {"play", "pop", "get", "catch", "connect", "cut", "bat", "hook", "box", "brain",
               "club", "nail", "boom", "blast", "crack", "poke", "plug", "bean", "clap",
               "swipe", "snap", "drive", "pull", "top", "ground", "shoot", "toe", "heel",
               "single", "double", "triple", "volley", "loft", "pitch", "fly", "move",
               "force", "press", "squeeze", "buff", "stun", "swig", "slog", "slug", "bonk",
               "dig", "jam", "stuff", "tip", "mush", "nose", "flick", "jerk", "fan", "topple",
               "tumble", "toss", "repel", "switch", "uplift", "cat", "soak", "lam", "paddle",
               "strap", "leather", "smash", "slam", "pound", "thrust", "shoulder", "elbow",
               "rattle", "boost", "nudge", "ram", "jog", "bang", "nip", "nibble", "wag",
               "lather", "flail", "wham"},
    "menace": {"beset", "blackjack", "carry", "chevy", "crucify", "dash", "dun", "ferret",
               "frustrate", "goad", "haze", "hunt", "lag", "needle", "offer", "pall", "panic",
               "plague", "provoke", "rag", "restrain", "swagger", "tailgate", "trace", "haunt",
               "get", "press", "exert", "pressure", "bother", "annoy"},
    "injury": {"cut", "break", "burn", "wound", "injury", "lesion", "trauma", "scratch",
               "harm", "hurt", "abrasion", "mouse", "pinch", "pull", "strain", "twist",
               "wrench", "sting", "sunburn", "frostbite", "hernia", "scorch", "slice",
               "rupture", "sprain", "whiplash", "bump", "bite"},
    "alcohol": {"brew", "liquor", "spirits", "alcohol", "drink", "booze", "port", "sack",
                "bitter", "mild", "stout", "red", "white", "rose", "pink", "punch", "shot",
                "dram", "nip", "toddy", "cup", "perry", "bishop", "burton", "corn", "flip",
                "generic", "geneva", "irish", "macon", "marc", "porter", "rye", "sake", "slug",
                "vintage", "malt", "cordial", "mead"},
    "drug": {"alcohol", "tobacco", "baccy", "drug", "upper", "downer", "kick", "pot", "grass",
             "hash", "smoke", "joint", "stuff", "speed", "acid", "ice", "crystal", "snow",
             "horse", "junk", "tea", "green", "bayer", "aspirin", "tylenol", "sedative",
             "depressant", "analgesic", "anodyne", "painkiller", "tranquilizer",
             "tranquillizer", "tranquilliser", "hypnotic", "opiate", "narcotic", "soporific",
             "colchicine", "beverage", "brew", "liquor", "spirits", "booze", "gateway",
             "trip", "hemp", "indian", "ganja", "bhang", "sinsemilla", "kif", "dope",
             "sess", "locoweed", "mary", "jane", "wine", "beer", "gin", "vodka", "rum",
             "whisky", "whiskey", "ale", "lager", "champagne", "sherry", "brandy",
             "benedictine", "bennie", "bitters", "butt", "chalk", "cigar", "cigarette",
             "cordial", "crank", "dose", "dot", "elvis", "fag", "filler", "flip", "gage",
             "generic", "glass", "lacing", "macon", "mimosa", "pane", "perry", "punch",
             "rickey", "rose", "sake", "saki", "sens", "shag", "slug", "smack", "snuff",
             "superman", "thunder", "toddy", "trash", "vintage", "zen", "versed", "bordeaux",
             "burgundy", "mead", "cocktail", "absinthe", "liqueur", "vermouth", "tequila",
             "vino", "hooch", "homebrew", "antipsychotic", "acetaminophen"},
    "occupation": {"head", "mother", "father", "member", "agent", "hand", "man", "woman",
                   "boy", "girl", "baby", "mate", "parent", "child", "person", "owner",
                   "worker", "guard", "keeper", "partner", "host", "user", "friend",
                   "student", "pupil", "principal", "official", "professional", "assistant",
                   "aide", "staff", "client", "patient", "resident", "master", "mistress",
                   "employee", "boss", "servant", "maid", "nanny", "slave", "victim",
                   "liar", "cheat", "thief", "killer", "dealer", "runner", "alto", "bass",
                   "back", "batter", "beater", "bunny", "canary", "card", "center", "cog",
                   "cookie", "coyote", "cyril", "da", "daniel", "decoy", "divine", "don",
                   "draw", "end", "extra", "familiar", "fed", "federal", "fo", "fodder", "fool",
                   "forward", "franklin", "gallant", "geek", "general", "grip", "gutter", "ham",
                   "hanger", "hangover", "heavy", "help", "hire", "holder", "hopper", "idol",
                   "independent", "instrument", "jack", "jock", "johnny", "joker", "kp", "lead",
                   "lefty", "lister", "lovely", "mace", "major", "mandarin", "md", "metropolitan",
                   "model", "mover", "np", "ordinary", "page", "para", "pawn", "plant", "po",
                   "poster", "primate", "private", "pro", "processor", "provincial", "rat",
                   "reader", "regular", "reliever", "rep", "reserve", "retainer", "rn",
                   "rocker", "router", "saver", "seal", "seasonal", "second", "shifter",
                   "slider", "snapper", "sport", "standby", "star", "stroke", "subordinate",
                   "subsidiary", "substitute", "supporter", "swagger", "sweep", "tackle",
                   "tanker", "tar", "teaser", "temp", "temporary", "tender", "territorial",
                   "tier", "topper", "voice", "voluntary", "wag", "wave", "wheeler", "whip",
                   "wing", "wit", "washer", "closer", "finisher", "breaker", "blocker",
                   "attraction", "associate", "auxiliary", "companion", "confederate",
                   "accomplice", "escort", "recorder", "receiver", "loader", "packer",
                   "passer", "hitter", "kicker", "scorer", "striker", "catcher", "pitcher",
                   "fielder", "lineman", "bowler", "diver", "sitter", "cutter", "turner",
                   "fuller", "mason", "cooper", "tanner", "smith", "miller", "baker", "carter",
                   "marshall", "harper", "skinner", "sawyer", "fisher", "fowler", "thatcher",
                   "weaver", "wright", "potter", "piper", "hunter", "porter", "dean"},
}


def _index(pos: str) -> dict[str, list[int]]:
    out = {}
    for line in (WORDNET / f"index.{_POS_FILE[pos]}").read_text(encoding="latin-1").splitlines():
        if line.startswith(" "):
            continue
        f = line.split()
        n_ptr = int(f[3])
        out[f[0]] = [int(o) for o in f[4 + n_ptr + 2:]]
    return out


def _synset(pos: str, off: int) -> tuple[list[str], list[tuple[str, int]], str]:
    with (WORDNET / f"data.{_POS_FILE[pos]}").open("rb") as fh:
        fh.seek(off)
        line = fh.readline().decode("latin-1")
    body, _, gloss = line.partition(" | ")
    f = body.split()
    n_words = int(f[3], 16)
    words = [f[4 + 2 * i].lower() for i in range(n_words)]
    k = 4 + 2 * n_words
    ptrs = [(f[k + 1 + 4 * i], int(f[k + 2 + 4 * i])) for i in range(int(f[k]))]
    return words, ptrs, gloss


def _lemmas(pos: str, seeds: list[tuple[str, str]], depth: int) -> set[str]:
    index = _index(pos)
    words: set[str] = set()
    for lemma, gloss_words in seeds:
        starts = [o for o in index.get(lemma, []) if gloss_words in _synset(pos, o)[2]]
        if not starts:
            raise SystemExit(f"no sense of {lemma!r} with {gloss_words!r} in its gloss")
        seen: set[int] = set()
        stack = [(o, 0) for o in starts]
        while stack:
            off, d = stack.pop()
            if off in seen:
                continue
            seen.add(off)
            ws, ptrs, _ = _synset(pos, off)
            words.update(w.strip("()").split("(")[0] for w in ws)
            if d < depth:
                stack.extend((o, d + 1) for sym, o in ptrs if sym == "~")  # hyponyms only
    return {w for w in words if "_" not in w and w.isalpha()}


def build() -> int:
    from lemminflect import getAllInflections
    from wordfreq import zipf_frequency

    rows: list[str] = []
    for slot, (pos, seeds, depth, min_zipf) in SLOTS.items():
        lemmas = {w for w in _lemmas(pos, seeds, depth) - EXCLUDE[slot]
                  if zipf_frequency(w, "en") >= min_zipf}
        for lemma in sorted(lemmas):
            forms = {lemma}
            for fs in getAllInflections(lemma, upos="VERB" if pos == "v" else "NOUN").values():
                forms.update(f.lower() for f in fs)
            rows.extend(f"{slot}\t{form}\t{lemma}" for form in sorted(forms))
    head = (f"# slot<TAB>form<TAB>lemma; source: WordNet 3.0 (Debian wordnet-base), inflections "
            f"PyPI lemminflect {metadata.version('lemminflect')}, frequencies PyPI wordfreq "
            f"{metadata.version('wordfreq')}; built by build_wordnet.py\n")
    (HERE / "wordnet_concepts.tsv").write_text(head + "\n".join(rows) + "\n", encoding="utf-8")
    return len(rows)


if __name__ == "__main__":
    print(build(), "rows")
