"""A synthetic world of facts, small enough for a CPU and fully known to us.

Made-up people with two-word names (``Kavo Drennik``) have one attribute for each of several
relations: the city they live in, their job, the instrument they play, the language they speak,
their sport. Each relation has its own set of answers, and is said in several ways: a few
*phrasings* (``{s} lives in`` / ``the city of {s} is`` / ...) times a few neutral *openings*
(``it is known that`` / ``people say that`` / ...). Some opening × phrasing combinations are
never used for training: they are the held-out templates on which we test whether a model, or an
edit of a model, generalises to a paraphrase.

Because the world is generated, we know every fact, every neighbour of an entity (people who
share a first or last name with it) and every sentence the model saw. The tokenizer is word-level:
each name part, template word and answer is one token, so "the last token of the subject" and
"the answer token" are exact notions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import torch

from emergent.core.config import Config

BOS, PAD, SENTENCE_END = "<bos>", "<pad>", "."

# Relations: name -> (answers, phrasings). Answers of different relations never overlap.
RELATIONS: dict[str, tuple[list[str], list[str]]] = {
    "city": (
        ["paris", "london", "tokyo", "cairo", "lima", "oslo", "delhi", "sydney", "rome", "boston"],
        ["{s} lives in", "the city of {s} is", "{s} has a home in"],
    ),
    "job": (
        [
            "doctor",
            "lawyer",
            "farmer",
            "pilot",
            "teacher",
            "baker",
            "nurse",
            "painter",
            "chemist",
            "sailor",
        ],
        ["{s} works as a", "the job of {s} is", "by trade {s} is a"],
    ),
    "instrument": (
        ["piano", "violin", "guitar", "flute", "drums", "cello", "harp", "trumpet"],
        ["{s} plays the", "the instrument of {s} is the", "at night {s} practises the"],
    ),
    "language": (
        ["french", "german", "spanish", "hindi", "arabic", "swahili", "korean", "dutch"],
        ["{s} speaks", "the mother tongue of {s} is", "at home {s} talks in"],
    ),
    "sport": (
        ["tennis", "chess", "rugby", "golf", "hockey", "cricket", "boxing", "rowing"],
        ["{s} is good at", "the sport of {s} is", "every weekend {s} plays"],
    ),
}
OPENINGS = ["", "it is known that", "people say that", "in fact ,", "we read that"]

_ONSETS = [
    "b",
    "d",
    "f",
    "g",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "z",
    "br",
    "dr",
    "gr",
    "kr",
    "st",
    "th",
]
_VOWELS = ["a", "e", "i", "o", "u"]
_CODAS = ["", "n", "r", "l", "s", "k", "m", "th", "nd", "sk"]


@dataclass(frozen=True)
class Template:
    relation: str
    opening: int  # index into OPENINGS
    phrasing: int  # index into the relation's phrasings
    held_out: bool

    def words(self, subject: list[str]) -> list[str]:
        text = RELATIONS[self.relation][1][self.phrasing]
        before, after = text.split("{s}")
        opening = OPENINGS[self.opening].split()
        return opening + before.split() + subject + after.split()

    def subject_start(self) -> int:
        text = RELATIONS[self.relation][1][self.phrasing]
        return len(OPENINGS[self.opening].split()) + len(text.split("{s}")[0].split())


@dataclass(frozen=True)
class Prompt:
    """One question to the model: token ids (starting with <bos>), where the subject is, the answer."""

    ids: tuple[int, ...]
    subject: range  # token positions of the subject's name
    answer: int  # token id of the correct next token
    entity: int
    relation: str
    template: Template

    @property
    def last_subject(self) -> int:
        return self.subject[-1]


def _made_up_words(count: int, rng: random.Random, taken: set[str]) -> list[str]:
    words = []
    while len(words) < count:
        word = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(rng.choice([1, 2])))
        word = (word + rng.choice(_CODAS)).capitalize()
        if word not in taken and len(word) >= 3:
            taken.add(word)
            words.append(word)
    return words


@dataclass
class KnowledgeBase:
    """Entities, their facts, the templates and a word-level tokenizer.  Build with :func:`make_knowledge_base`."""

    names: list[tuple[str, ...]]  # entity -> name parts
    facts: dict[str, list[int]]  # relation -> entity -> index into the relation's answers
    templates: list[Template]
    vocabulary: list[str]
    seed: int = 0
    index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self):
        self.index = {word: i for i, word in enumerate(self.vocabulary)}

    # ------------------------------------------------------------------ tokenizer
    def encode(self, words: list[str]) -> list[int]:
        unknown = [w for w in words if w not in self.index]
        if unknown:
            raise ValueError(f"Words not in the vocabulary of this knowledge base: {unknown[:5]}.")
        return [self.index[w] for w in words]

    def decode(self, ids) -> str:
        return " ".join(self.vocabulary[int(i)] for i in ids)

    @property
    def bos_id(self) -> int:
        return self.index[BOS]

    @property
    def pad_id(self) -> int:
        return self.index[PAD]

    # ------------------------------------------------------------------ facts
    @property
    def relations(self) -> list[str]:
        return list(self.facts)

    @property
    def n_entities(self) -> int:
        return len(self.names)

    def name(self, entity: int) -> str:
        self._check_entity(entity)
        return " ".join(self.names[entity])

    def entity_of(self, name: str) -> int:
        parts = tuple(name.split())
        for i, n in enumerate(self.names):
            if n == parts:
                return i
        raise ValueError(
            f"No entity called {name!r} in this knowledge base; try e.g. {self.name(0)!r}."
        )

    def answers(self, relation: str) -> list[str]:
        self._check_relation(relation)
        return RELATIONS[relation][0]

    def attribute(self, entity: int, relation: str) -> str:
        self._check_entity(entity)
        self._check_relation(relation)
        return self.answers(relation)[self.facts[relation][entity]]

    def neighbours(self, entity: int) -> list[int]:
        """Entities sharing a first or a last name with ``entity``: the hardest test of an edit's specificity."""
        self._check_entity(entity)
        first, last = self.names[entity][0], self.names[entity][-1]
        return [
            i for i, n in enumerate(self.names) if i != entity and (n[0] == first or n[-1] == last)
        ]

    def _check_entity(self, entity: int) -> None:
        if not isinstance(entity, int) or not 0 <= entity < self.n_entities:
            raise ValueError(
                f"Entity must be an index in 0..{self.n_entities - 1}, got {entity!r}."
            )

    def _check_relation(self, relation: str) -> None:
        if relation not in self.facts:
            raise ValueError(
                f"Unknown relation {relation!r}; this knowledge base has {self.relations}."
            )

    # ------------------------------------------------------------------ prompts and sentences
    def templates_for(self, relation: str, held_out: bool | None = False) -> list[Template]:
        """The relation's templates: training ones (default), held-out ones (True) or all (None)."""
        self._check_relation(relation)
        return [
            t
            for t in self.templates
            if t.relation == relation and (held_out is None or t.held_out == held_out)
        ]

    def prompt(self, entity: int, template: Template, answer: str | None = None) -> Prompt:
        """The question ``template`` asks about ``entity``; ``answer`` overrides the true attribute."""
        self._check_entity(entity)
        words = template.words(list(self.names[entity]))
        start = template.subject_start() + 1  # +1 for <bos>
        target = answer if answer is not None else self.attribute(entity, template.relation)
        if target not in self.answers(template.relation):
            raise ValueError(
                f"{target!r} is not an answer of relation {template.relation!r}: {self.answers(template.relation)}."
            )
        return Prompt(
            ids=tuple([self.bos_id] + self.encode(words)),
            subject=range(start, start + len(self.names[entity])),
            answer=self.index[target],
            entity=entity,
            relation=template.relation,
            template=template,
        )

    def prompts(
        self, held_out: bool = False, relations: list[str] | None = None, entities=None
    ) -> list[Prompt]:
        """Every (entity, training or held-out template) question."""
        relations = relations or self.relations
        entities = range(self.n_entities) if entities is None else entities
        return [
            self.prompt(e, t)
            for r in relations
            for t in self.templates_for(r, held_out)
            for e in entities
        ]

    def training_sentences(self) -> list[list[int]]:
        """Every training sentence as token ids: the prompt followed by its answer."""
        return [list(p.ids) + [p.answer] for p in self.prompts(held_out=False)]

    def biography(self, entity: int, rng: random.Random) -> tuple[list[int], list[int]]:
        """All of one person's facts in one text, the way Allen-Zhu and Li write their biographies.

        Every relation once, in a random order, each in a randomly chosen *training* template, the
        full name in every sentence, sentences ended by ".". Returns the token ids (starting with
        <bos>) and the positions of the answer tokens, the only tokens the model is trained on.
        """
        self._check_entity(entity)
        ids, answers = [self.bos_id], []
        for relation in rng.sample(self.relations, len(self.relations)):
            template = rng.choice(self.templates_for(relation))
            ids += self.encode(template.words(list(self.names[entity])))
            answers.append(len(ids))
            ids += [self.index[self.attribute(entity, relation)], self.index[SENTENCE_END]]
        return ids, answers

    def biographies(self, count: int | None = None, seed: int = 0) -> list[list[int]]:
        """``count`` biographies (default: one per person) drawn with ``seed``, as token ids."""
        rng = random.Random(seed)
        people = (
            range(self.n_entities)
            if count is None
            else [rng.randrange(self.n_entities) for _ in range(count)]
        )
        return [self.biography(e, rng)[0] for e in people]

    def summary(self) -> dict:
        return {
            "entities": self.n_entities,
            "relations": len(self.facts),
            "training templates": sum(not t.held_out for t in self.templates),
            "held-out templates": sum(t.held_out for t in self.templates),
            "vocabulary": len(self.vocabulary),
            "facts": self.n_entities * len(self.facts),
            "training sentences": len(self.prompts(held_out=False)),
        }


@dataclass(frozen=True)
class WorldConfig(Config):
    n_entities: int = 200  # a few hundred people: hundreds of facts per relation, seconds per epoch
    n_first: int = (
        24  # first names drawn from a pool this big, so many people share a first name ...
    )
    n_last: int = 24  # ... or a last name: the neighbours an edit must not disturb
    relations: tuple[str, ...] = tuple(RELATIONS)
    held_out_per_phrasing: int = (
        1  # openings held out for each phrasing (the rest are for training)
    )
    seed: int = 0

    def as_dict(self) -> dict:
        d = super().as_dict()
        d["relations"] = list(
            self.relations
        )  # a list, as JSON reads it back, so cache keys compare equal
        return d


def make_knowledge_base(config: WorldConfig = WorldConfig()) -> KnowledgeBase:
    """Generate the world: names, one attribute per (entity, relation), templates, vocabulary."""
    if config.n_entities < 2:
        raise ValueError(f"n_entities must be at least 2, got {config.n_entities}.")
    if config.n_entities > config.n_first * config.n_last:
        raise ValueError(
            f"{config.n_entities} entities need at least as many distinct names; n_first × n_last = "
            f"{config.n_first * config.n_last}. Raise n_first or n_last."
        )
    unknown = [r for r in config.relations if r not in RELATIONS]
    if unknown or not config.relations:
        raise ValueError(
            f"Relations must be a non-empty subset of {list(RELATIONS)}, got {list(config.relations)}."
        )
    if not 0 <= config.held_out_per_phrasing < len(OPENINGS):
        raise ValueError(
            f"held_out_per_phrasing must be in 0..{len(OPENINGS) - 1}, got {config.held_out_per_phrasing}."
        )
    rng = random.Random(config.seed)
    taken: set[str] = set()
    first = _made_up_words(config.n_first, rng, taken)
    last = _made_up_words(config.n_last, rng, taken)
    pairs = rng.sample([(f, l) for f in first for l in last], config.n_entities)
    facts = {r: [rng.randrange(len(RELATIONS[r][0])) for _ in pairs] for r in config.relations}
    templates = []
    for r in config.relations:
        for p in range(len(RELATIONS[r][1])):
            held = {
                (p + k + hash_relation(r)) % len(OPENINGS)
                for k in range(config.held_out_per_phrasing)
            }
            templates += [Template(r, o, p, o in held) for o in range(len(OPENINGS))]
    words = {
        w
        for r in config.relations
        for phr in RELATIONS[r][1]
        for w in phr.replace("{s}", " ").split()
    }
    words |= {w for o in OPENINGS for w in o.split()}
    words |= {a for r in config.relations for a in RELATIONS[r][0]}
    vocabulary = [PAD, BOS, SENTENCE_END] + sorted(words) + first + last
    return KnowledgeBase(
        names=[tuple(p) for p in pairs],
        facts=facts,
        templates=templates,
        vocabulary=vocabulary,
        seed=config.seed,
    )


def hash_relation(relation: str) -> int:
    """A small stable number per relation, so each relation holds out different openings."""
    return sum(map(ord, relation)) % len(OPENINGS)


def batch_prompts(prompts: list[Prompt], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-padded ids (B, T) and the position of each prompt's last token (B,)."""
    if not prompts:
        raise ValueError("Give at least one prompt.")
    length = max(len(p.ids) for p in prompts)
    ids = torch.full((len(prompts), length), pad_id, dtype=torch.long)
    for row, p in enumerate(prompts):
        ids[row, : len(p.ids)] = torch.tensor(p.ids)
    last = torch.tensor([len(p.ids) - 1 for p in prompts])
    return ids, last
