"""Words of the basket: categories, sectors, and what people type when they look for help."""

from __future__ import annotations

from storage.basket.text import fold
from storage.models import Sector

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
    Sector.OTHER: "inne",
}


def _lookup_key(name: str) -> str:
    # "Pomoc  Społeczna", "pomoc_spoleczna" and "social_assistance" all become keys alike.
    return "_".join(fold(name).replace("_", " ").split())


_CATEGORY_BY_NAME = {_lookup_key(label): slug for slug, label in CATEGORIES.items()} | {
    _lookup_key(slug): slug for slug in CATEGORIES
}
_SECTOR_BY_NAME = {_lookup_key(name): sector for sector, name in SECTOR_NAMES.items()} | {
    _lookup_key(sector.value): sector for sector in Sector
}


def category_slug(name: str) -> str | None:
    """A category by its Polish label or slug, as written in a file ("Bezdomność", ...)."""
    return _CATEGORY_BY_NAME.get(_lookup_key(name))


def sector_of(name: str) -> Sector | None:
    """A sector by its Polish name or enum value ("sąd", "court", ...)."""
    return _SECTOR_BY_NAME.get(_lookup_key(name))


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


def categories_of_word(word: str) -> set[str]:
    """The categories a folded query word points to."""
    return {
        slug
        for slug, beginnings in CATEGORY_WORDS.items()
        if any(word.startswith(beginning) for beginning in beginnings)
    }
