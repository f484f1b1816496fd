"""Words of the basket: categories, sectors, and what people type when they look for help."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from storage.basket.text import words
from storage.models import Sector

T = TypeVar("T")

# Slug -> Polish label, in the order the bot shows them.
CATEGORIES: dict[str, str] = {
    "bezdomnosc": "bezdomność",
    "przemoc": "przemoc w rodzinie",
    "uzaleznienia": "uzależnienia",
    "praca": "bezrobocie i praca",
    "niepelnosprawnosc": "niepełnosprawność",
    "seniorzy": "seniorzy",
    "rodzina": "dzieci i rodzina",
    "zdrowie_psychiczne": "zdrowie psychiczne",
    "mieszkalnictwo": "mieszkalnictwo",
    "ubostwo": "ubóstwo i świadczenia",
    "pomoc_prawna": "pomoc prawna",
    "edukacja": "edukacja",
}

SECTOR_NAMES: dict[Sector, str] = {
    Sector.SOCIAL_ASSISTANCE: "pomoc społeczna",
    Sector.POLICE: "policja",
    Sector.COURT: "sąd",
    Sector.EDUCATION: "edukacja",
    Sector.HEALTH: "ochrona zdrowia",
    Sector.LABOUR: "urząd pracy",
    Sector.HOUSING: "mieszkalnictwo",
    Sector.SOCIAL_INSURANCE: "ubezpieczenia społeczne",
    Sector.NGO: "organizacja pozarządowa",
    Sector.LOCAL_GOVERNMENT: "administracja samorządowa",
    Sector.OTHER: "inne",
}

# What offices write in the `sektor` column besides the names above (README, "The basket
# file"; the template's sheet "Słowniki" lists them too). Matched as folded words: case,
# Polish letters, spaces and punctuation do not matter.
SECTOR_SYNONYMS: dict[Sector, str] = {
    Sector.SOCIAL_ASSISTANCE: (
        "opieka społeczna; integracja społeczna; polityka społeczna; usługi społeczne; "
        "ośrodek pomocy społecznej; MOPS; MOPR; GOPS; OPS; PCPR; CUS; "
        "centrum usług społecznych; świadczenia socjalne; social assistance"
    ),
    Sector.POLICE: (
        "policja państwowa; komenda policji; KMP; KPP; dzielnicowy; straż miejska; "
        "bezpieczeństwo publiczne; police"
    ),
    Sector.COURT: (
        "sądownictwo; sądy; wymiar sprawiedliwości; sąd rejonowy; sąd rodzinny; "
        "kuratorzy; kurator; kurator sądowy; kuratorzy sądowi; kuratela sądowa; "
        "kuratela; prokuratura; court; justice"
    ),
    Sector.EDUCATION: (
        "oświata; szkoła; szkoły; szkolnictwo; przedszkole; "
        "poradnia psychologiczno-pedagogiczna; education"
    ),
    Sector.HEALTH: (
        "służba zdrowia; zdrowie; opieka zdrowotna; ochrona zdrowia psychicznego; "
        "zdrowie psychiczne; szpital; POZ; health; healthcare"
    ),
    Sector.LABOUR: (
        "rynek pracy; PUP; MUP; powiatowy urząd pracy; miejski urząd pracy; "
        "urzędy pracy; zatrudnienie; praca; OHP; labour; labor; labour office"
    ),
    Sector.HOUSING: (
        "gospodarka mieszkaniowa; zasób mieszkaniowy; mieszkania; lokale; "
        "zarząd lokali miejskich; ZLM; ZGM; TBS; housing"
    ),
    Sector.SOCIAL_INSURANCE: "ZUS; KRUS; ubezpieczenia; social insurance",
    Sector.NGO: (
        "organizacje pozarządowe; sektor pozarządowy; trzeci sektor; III sektor; NGO; "
        "stowarzyszenie; stowarzyszenia; fundacja; fundacje; organizacja społeczna; "
        "organizacja pożytku publicznego"
    ),
    Sector.LOCAL_GOVERNMENT: (
        "samorząd; samorząd terytorialny; samorząd gminny; samorząd lokalny; "
        "administracja lokalna; administracja publiczna; JST; urząd gminy; urząd miasta; "
        "urząd miasta i gminy; urząd miejski; starostwo; starostwo powiatowe; gmina; "
        "miasto; powiat; local government"
    ),
    Sector.OTHER: "inny; pozostałe; other",
}

# What offices write in `kategorie` besides the labels and slugs of CATEGORIES.
CATEGORY_SYNONYMS: dict[str, str] = {
    "bezdomnosc": "bezdomni; osoby bezdomne; bezdomność i wykluczenie; homelessness",
    "przemoc": (
        "przemoc; przemoc domowa; przeciwdziałanie przemocy; niebieska karta; "
        "niebieskie karty; domestic violence"
    ),
    "uzaleznienia": (
        "uzależnienie; alkoholizm; problemy alkoholowe; narkomania; profilaktyka; addiction"
    ),
    "praca": "bezrobocie; praca; zatrudnienie; rynek pracy; aktywizacja zawodowa; employment",
    "niepelnosprawnosc": (
        "niepełnosprawni; osoby niepełnosprawne; osoby z niepełnosprawnościami; disability"
    ),
    "seniorzy": "senior; osoby starsze; starość; elderly",
    "rodzina": (
        "rodzina; rodzina i dzieci; dzieci; młodzież; dzieci i młodzież; "
        "wsparcie rodziny; piecza zastępcza; family"
    ),
    "zdrowie_psychiczne": (
        "psychiatria; pomoc psychologiczna; wsparcie psychologiczne; kryzys; "
        "interwencja kryzysowa; mental health"
    ),
    "mieszkalnictwo": "mieszkanie; mieszkania; lokale; housing",
    "ubostwo": "ubóstwo; świadczenia; pomoc materialna; zasiłki; pomoc żywnościowa; poverty",
    "pomoc_prawna": "porady prawne; nieodpłatna pomoc prawna; poradnictwo prawne; prawo; legal aid",
    "edukacja": "oświata; szkoła; nauka; education",
}


def names_of(listed: str) -> list[str]:
    """ "a; b; c" -> ["a", "b", "c"]."""
    return [name.strip() for name in listed.split(";") if name.strip()]


def lookup_key(name: str) -> str:
    """ "Sądownictwo ", "SADOWNICTWO", "pomoc_spoleczna", "Pomoc  Społeczna." alike."""
    return "_".join(words(name))


def _table(entries: Iterable[tuple[str, T]]) -> dict[str, T]:
    table: dict[str, T] = {}
    for name, value in entries:
        key = lookup_key(name)
        if table.setdefault(key, value) != value:  # a slip in the lists above
            raise ValueError(f"{name!r} names two things")
    return table


_CATEGORY_BY_NAME = _table(
    [(label, slug) for slug, label in CATEGORIES.items()]
    + [(slug, slug) for slug in CATEGORIES]
    + [(name, slug) for slug, names in CATEGORY_SYNONYMS.items() for name in names_of(names)]
)
_SECTOR_BY_NAME = _table(
    [(name, sector) for sector, name in SECTOR_NAMES.items()]
    + [(sector.value, sector) for sector in Sector]
    + [(name, sector) for sector, names in SECTOR_SYNONYMS.items() for name in names_of(names)]
)


def category_slug(name: str) -> str | None:
    """A category by its Polish label, slug or a synonym ("Bezdomność", "bezdomni", ...)."""
    return _CATEGORY_BY_NAME.get(lookup_key(name))


def sector_of(name: str) -> Sector | None:
    """A sector by its Polish name, enum value or a synonym ("sąd", "court", "kuratorzy")."""
    return _SECTOR_BY_NAME.get(lookup_key(name))


# Beginnings of (folded) words that point to a category: "bezdomną" -> bezdomność,
# "alkoholem" -> uzależnienia. Search adds the category to what such a word matches.
_CATEGORY_WORDS = {
    "bezdomnosc": "bezdomn noclegown nocleg schronisk ogrzewaln streetwork dach",
    "przemoc": "przemoc niebiesk znecan pobic bije bity krzywdz sprawc ofiar",
    "uzaleznienia": (
        "uzalezn alkohol narkot narkoman hazard trzezw odwyk abstynen dopalacz pije picie nietrzezw"
    ),
    "praca": "bezrobo zatrudn praca pracy prace zawod staz aktywizac posad etat",
    "niepelnosprawnosc": (
        "niepelnospr inwalid wozek wozk pfron turnus orzeczeni niewidom nieslysz autyz"
    ),
    "seniorzy": "senior starsz emeryt opiekunc wieku dps",
    "rodzina": (
        "rodzin dziec dzieck mlodziez nastolat matk mama ojciec ojca ciaz wychowaw piecz "
        "niemowl noworod macierz"
    ),
    "zdrowie_psychiczne": (
        "psychi psycholog psychiatr depres samobo kryzys terapi terapeut zaburzen schizofren nerwic"
    ),
    "mieszkalnictwo": "mieszkan mieszka lokal eksmis czynsz najem wynajem zadluzen",
    "ubostwo": (
        "ubostw ubog biedn bieda zasil swiadcz pieniad zywnosc zywnosci jedzeni posil "
        "obiad paczk odziez ubran opal dodat alimentac"
    ),
    "pomoc_prawna": (
        "prawn prawnik adwokat radca radc porad rozwod alimen mediac mediator kurator "
        "komornik sad sadow pozew"
    ),
    "edukacja": (
        "edukac szkol nauk uczen uczni korepetyc swietlic przedszkol pedagog logoped stypend lekcj"
    ),
}
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    slug: tuple(beginnings.split()) for slug, beginnings in _CATEGORY_WORDS.items()
}

# Folded words that say nothing about which service is wanted ("gdzie skierować osobę ...").
_STOP = """
    a aby albo ale ani bez by byc byl byla bylo beda chce chcialabym chcialbym co czy czyli
    dla do dokad gdzie go i ich ile im ja jak jaka jaki jakie jakiej jakiego jej jego jest
    jestem juz ktora ktore ktory ktorej ktoremu ktorego ktos kogos komu kto lub ma mam mamy
    mi mnie moge moj moja moze mozna my na nad nam nas nie niej nim o od oraz pan pani panu
    po pod przez przy sa sie ta tak tam te tego tej ten to tu u w we wie z za ze zeby
    osoba osobe osoby osob osobie osobom klient klienta klientka klientki klientowi
    skierowac skierowanie skierowania kierowac wyslac odeslac zglosic zglosi szukam szukac
    szuka potrzebuje potrzebna potrzebny potrzebne uzyskac dostac otrzymac zalatwic
    prosze informacja informacje jakas jakis jakies ktorzy sprawa sprawie ktora moga
    """
STOP_WORDS = frozenset(_STOP.split())

# Words too common to narrow a search ("Ośrodek Pomocy Społecznej" is everywhere); dropped
# when the query has other words.
_WEAK = "pomoc pomocy pomoca wsparcie wsparcia usluga uslugi uslug mozliwosc miejsce miejsca"
WEAK_WORDS = frozenset(_WEAK.split())


# Each beginning with its categories, and the beginnings' lengths: a word is looked up by its
# own beginnings of those lengths (a dozen lookups instead of testing all 150 beginnings).
_SLUGS_BY_BEGINNING: dict[str, set[str]] = {}
for _slug, _beginnings in CATEGORY_WORDS.items():
    for _beginning in _beginnings:
        _SLUGS_BY_BEGINNING.setdefault(_beginning, set()).add(_slug)
_BEGINNING_LENGTHS = sorted({len(beginning) for beginning in _SLUGS_BY_BEGINNING})


def categories_of_word(word: str) -> set[str]:
    """The categories a folded query word points to."""
    found: set[str] = set()
    for length in _BEGINNING_LENGTHS:
        if length > len(word):
            break
        found |= _SLUGS_BY_BEGINNING.get(word[:length], set())
    return found
