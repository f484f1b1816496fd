"""A demo basket for the eight Łódź-region municipalities of Kooperacje 3D.

Statutory services every town has (MOPS, police, labour office, court, counselling), under
the institutions' public names, marked as examples. No phone numbers or e-mails: none here
is to be called or written to; the only number given is the emergency number 112.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from storage.basket.importer import import_rows
from storage.demo_institutions import SOCIAL_CENTRES

FREE = "bezpłatna"


@dataclass(frozen=True)
class Town:
    name: str
    locative: str  # "w Łodzi"
    town_hall: str
    police: str
    court: str
    # Cities with county rights do the county family centre's work (PFRON) in their MOPS/MOPR.
    family_centre: str | None


TOWNS = [
    Town(
        "Łódź",
        "w Łodzi",
        "Urząd Miasta Łodzi",
        "Komenda Miejska Policji w Łodzi",
        "Sąd Rejonowy dla Łodzi-Śródmieścia w Łodzi",
        None,
    ),
    Town(
        "Piotrków Trybunalski",
        "w Piotrkowie Trybunalskim",
        "Urząd Miasta Piotrkowa Trybunalskiego",
        "Komenda Miejska Policji w Piotrkowie Trybunalskim",
        "Sąd Rejonowy w Piotrkowie Trybunalskim",
        None,
    ),
    Town(
        "Łowicz",
        "w Łowiczu",
        "Urząd Miejski w Łowiczu",
        "Komenda Powiatowa Policji w Łowiczu",
        "Sąd Rejonowy w Łowiczu",
        "Powiatowe Centrum Pomocy Rodzinie w Łowiczu",
    ),
    Town(
        "Zgierz",
        "w Zgierzu",
        "Urząd Miasta Zgierza",
        "Komenda Powiatowa Policji w Zgierzu",
        "Sąd Rejonowy w Zgierzu",
        "Powiatowe Centrum Pomocy Rodzinie w Zgierzu",
    ),
    Town(
        "Zduńska Wola",
        "w Zduńskiej Woli",
        "Urząd Miasta Zduńska Wola",
        "Komenda Powiatowa Policji w Zduńskiej Woli",
        "Sąd Rejonowy w Zduńskiej Woli",
        "Powiatowe Centrum Pomocy Rodzinie w Zduńskiej Woli",
    ),
    Town(
        "Sieradz",
        "w Sieradzu",
        "Urząd Miasta Sieradza",
        "Komenda Powiatowa Policji w Sieradzu",
        "Sąd Rejonowy w Sieradzu",
        "Powiatowe Centrum Pomocy Rodzinie w Sieradzu",
    ),
    Town(
        "Tomaszów Mazowiecki",
        "w Tomaszowie Mazowieckim",
        "Urząd Miasta w Tomaszowie Mazowieckim",
        "Komenda Powiatowa Policji w Tomaszowie Mazowieckim",
        "Sąd Rejonowy w Tomaszowie Mazowieckim",
        "Powiatowe Centrum Pomocy Rodzinie w Tomaszowie Mazowieckim",
    ),
    Town(
        "Radomsko",
        "w Radomsku",
        "Urząd Miasta Radomska",
        "Komenda Powiatowa Policji w Radomsku",
        "Sąd Rejonowy w Radomsku",
        "Powiatowe Centrum Pomocy Rodzinie w Radomsku",
    ),
]


def _row(
    town: Town,
    institution: str,
    sector: str,
    name: str,
    categories: str,
    description: str,
    for_whom: str,
    how: str,
    *,
    paid: str = FREE,
    hours: str = "",
) -> dict[str, str]:
    return {
        "gmina": town.name,
        "instytucja": institution,
        "sektor": sector,
        "usluga": name,
        "opis": description,
        "kategorie": categories,
        "dla_kogo": for_whom,
        "jak_skorzystac": how,
        "adres": "",
        "telefon": "",
        "email": "",
        "www": "",
        "godziny": hours,
        "odplatnosc": paid,
    }


def _town_rows(t: Town) -> list[dict[str, str]]:
    mops, hall = SOCIAL_CENTRES[t.name], t.town_hall
    pfron = t.family_centre or mops
    return [
        _row(
            t,
            mops,
            "pomoc społeczna",
            "Zasiłki z pomocy społecznej: stały, okresowy i celowy",
            "ubóstwo i świadczenia",
            "Pomoc pieniężna dla osób i rodzin o niskich dochodach, także na żywność, opał, "
            "leki lub odzież; przyznawana po wywiadzie środowiskowym pracownika socjalnego.",
            "osoby i rodziny spełniające kryterium dochodowe, w trudnej sytuacji życiowej",
            "wniosek w ośrodku pomocy społecznej; pracownik socjalny umawia wywiad",
        ),
        _row(
            t,
            mops,
            "pomoc społeczna",
            "Praca socjalna i kontrakt socjalny",
            "ubóstwo i świadczenia; dzieci i rodzina",
            "Pracownik socjalny diagnozuje sytuację, razem z osobą ustala plan wyjścia z "
            "trudności i wspiera w jego realizacji; współpraca z innymi instytucjami.",
            "osoby i rodziny w kryzysie, bez względu na dochód",
            "zgłoszenie w ośrodku pomocy społecznej lub skierowanie od innej instytucji",
        ),
        _row(
            t,
            mops,
            "pomoc społeczna",
            "Schronienie, noclegownia i ogrzewalnia dla osób bezdomnych",
            "bezdomność; mieszkalnictwo",
            f"Skierowanie do schroniska, noclegowni lub ogrzewalni, posiłek, indywidualny "
            f"program wychodzenia z bezdomności; zimą streetworking {t.locative}.",
            "osoby bezdomne i zagrożone bezdomnością",
            "zgłoszenie w ośrodku pomocy społecznej, nocą i zimą także przez policję lub straż "
            "miejską",
        ),
        _row(
            t,
            mops,
            "pomoc społeczna",
            "Asystent rodziny",
            "dzieci i rodzina",
            "Asystent pracuje z rodziną w domu: organizacja dnia, opieka i wychowanie dzieci, "
            "sprawy urzędowe, budżet domowy; pomaga uniknąć umieszczenia dzieci w pieczy "
            "zastępczej.",
            "rodziny z dziećmi mające trudności opiekuńczo-wychowawcze",
            "przez pracownika socjalnego ośrodka pomocy społecznej lub na wniosek sądu",
        ),
        _row(
            t,
            mops,
            "pomoc społeczna",
            "Usługi opiekuńcze w miejscu zamieszkania",
            "seniorzy; niepełnosprawność",
            "Pomoc w codziennych czynnościach, pielęgnacji i kontaktach z otoczeniem dla osób, "
            "które same sobie nie radzą, także specjalistyczne usługi opiekuńcze.",
            "osoby starsze, chore i z niepełnosprawnością, samotne lub bez pomocy rodziny",
            "wniosek w ośrodku pomocy społecznej; odpłatność zależy od dochodu",
            paid="częściowo odpłatna",
        ),
        _row(
            t,
            mops,
            "pomoc społeczna",
            "Zespół interdyscyplinarny: procedura „Niebieskie Karty”",
            "przemoc w rodzinie",
            "Zespół instytucji (pomoc społeczna, policja, oświata, ochrona zdrowia, komisja "
            "rozwiązywania problemów alkoholowych) przygotowuje plan pomocy dla osoby "
            "doznającej przemocy domowej i prowadzi działania wobec osoby stosującej przemoc.",
            "osoby doznające przemocy domowej, także dzieci i świadkowie",
            "Niebieską Kartę zakłada pracownik socjalny, policjant, nauczyciel lub lekarz; "
            "można też zgłosić się samemu do ośrodka pomocy społecznej",
        ),
        _row(
            t,
            t.police,
            "policja",
            "Interwencja domowa i dzielnicowy",
            "przemoc w rodzinie; uzależnienia",
            "Interwencja w sytuacji przemocy domowej lub zagrożenia, wszczęcie procedury "
            "„Niebieskie Karty”, nakaz opuszczenia mieszkania dla sprawcy; dzielnicowy "
            "monitoruje sytuację rodziny.",
            "osoby doznające przemocy, świadkowie, sąsiedzi",
            "w nagłej sytuacji numer alarmowy 112; w sprawach bieżących dzielnicowy",
            hours="całodobowo",
        ),
        _row(
            t,
            f"Powiatowy Urząd Pracy {t.locative}",
            "urząd pracy",
            "Rejestracja bezrobotnych, pośrednictwo pracy, staże i szkolenia",
            "bezrobocie i praca",
            "Status osoby bezrobotnej z ubezpieczeniem zdrowotnym, oferty pracy, doradca "
            "zawodowy, staże, szkolenia i bony, dotacje na założenie działalności.",
            "osoby bezrobotne i poszukujące pracy",
            "rejestracja w urzędzie pracy lub przez praca.gov.pl; potrzebny dowód osobisty",
        ),
        _row(
            t,
            t.court,
            "sąd",
            "Kuratorzy sądowi i biuro obsługi interesantów",
            "pomoc prawna; dzieci i rodzina",
            "Informacja o sprawach i wnioskach (np. o ograniczenie władzy rodzicielskiej, "
            "alimenty, leczenie odwykowe), kuratorzy rodzinni i karni wspierający rodziny.",
            "strony postępowań, rodziny pod nadzorem kuratora",
            "biuro obsługi interesantów sądu; wnioski pisemnie lub przez portal",
        ),
        _row(
            t,
            hall,
            "inne",
            "Nieodpłatna pomoc prawna i poradnictwo obywatelskie",
            "pomoc prawna",
            "Porady adwokatów i radców prawnych, mediacje, pomoc w sporządzeniu pism, "
            "poradnictwo w sprawach długów, mieszkaniowych i rodzinnych.",
            "każdy, kto nie może pozwolić sobie na odpłatną pomoc prawnika",
            "zapis na wizytę w punkcie nieodpłatnej pomocy prawnej; oświadczenie o sytuacji",
        ),
        _row(
            t,
            hall,
            "inne",
            "Punkt konsultacyjny dla osób z problemem alkoholowym i ich rodzin",
            "uzależnienia; przemoc w rodzinie",
            "Rozmowa z terapeutą uzależnień, motywowanie do leczenia, skierowanie na terapię, "
            "wsparcie dla rodzin osób pijących; komisja rozwiązywania problemów alkoholowych "
            "może wnioskować o leczenie odwykowe.",
            "osoby uzależnione od alkoholu lub narkotyków, współuzależnieni, rodziny",
            "bez skierowania, anonimowo",
        ),
        _row(
            t,
            hall,
            "mieszkalnictwo",
            "Dodatek mieszkaniowy i lokale z zasobu gminy",
            "mieszkalnictwo; ubóstwo i świadczenia",
            "Dodatek mieszkaniowy do czynszu, najem lokalu socjalnego lub komunalnego, "
            "pomoc przy zadłużeniu czynszowym i zagrożeniu eksmisją.",
            "osoby o niskich dochodach, zagrożone eksmisją lub bez mieszkania",
            "wniosek w urzędzie miasta; lista oczekujących na lokal",
        ),
        _row(
            t,
            f"Poradnia Psychologiczno-Pedagogiczna {t.locative}",
            "edukacja",
            "Diagnoza i terapia dzieci, wsparcie rodziców i szkół",
            "edukacja; dzieci i rodzina; zdrowie psychiczne",
            "Diagnoza trudności w nauce, opinie i orzeczenia o potrzebie kształcenia "
            "specjalnego, terapia logopedyczna i psychologiczna, konsultacje dla rodziców.",
            "dzieci i młodzież, ich rodzice i nauczyciele",
            "zgłoszenie rodzica lub opiekuna, bez skierowania",
        ),
        _row(
            t,
            f"Poradnia Zdrowia Psychicznego {t.locative}",
            "ochrona zdrowia",
            "Poradnia zdrowia psychicznego: psychiatra i psycholog",
            "zdrowie psychiczne",
            "Leczenie depresji, zaburzeń lękowych i psychotycznych, pomoc w kryzysie "
            "psychicznym, psychoterapia w ramach NFZ.",
            "dorośli w kryzysie psychicznym lub z zaburzeniami psychicznymi",
            "do psychiatry i psychologa bez skierowania, w ramach NFZ",
        ),
        _row(
            t,
            pfron,
            "pomoc społeczna",
            "Dofinansowanie z PFRON: turnusy, sprzęt rehabilitacyjny, likwidacja barier",
            "niepełnosprawność",
            "Dofinansowanie turnusów rehabilitacyjnych, sprzętu i zaopatrzenia ortopedycznego, "
            "likwidacji barier architektonicznych i w komunikowaniu się.",
            "osoby z orzeczeniem o niepełnosprawności",
            "wniosek z orzeczeniem o niepełnosprawności; terminy naboru ogłasza instytucja",
        ),
    ]


def _partners() -> list[dict[str, str]]:
    lodz = next(t for t in TOWNS if t.name == "Łódź")
    zdunska = next(t for t in TOWNS if t.name == "Zduńska Wola")
    return [
        _row(
            lodz,
            "Centrum Świadczeń Socjalnych w Łodzi",
            "pomoc społeczna",
            "Świadczenia rodzinne i fundusz alimentacyjny",
            "ubóstwo i świadczenia; dzieci i rodzina",
            "Zasiłek rodzinny z dodatkami, świadczenia opiekuńcze, fundusz alimentacyjny gdy "
            "egzekucja alimentów jest bezskuteczna.",
            "rodziny z dziećmi, opiekunowie osób niepełnosprawnych",
            "wniosek w Centrum Świadczeń Socjalnych lub elektronicznie",
        ),
        _row(
            lodz,
            "Zarząd Lokali Miejskich w Łodzi",
            "mieszkalnictwo",
            "Najem i zamiana lokali komunalnych, restrukturyzacja zadłużenia",
            "mieszkalnictwo",
            "Wnioski o najem lokalu komunalnego, zamiany mieszkań, rozłożenie zaległości "
            "czynszowych na raty lub odpracowanie długu.",
            "najemcy lokali miejskich i osoby ubiegające się o mieszkanie",
            "wniosek w Zarządzie Lokali Miejskich",
        ),
        _row(
            lodz,
            "Zakład Ubezpieczeń Społecznych I Oddział w Łodzi",
            "ubezpieczenia społeczne",
            "Emerytury, renty i świadczenia z ubezpieczeń",
            "seniorzy; niepełnosprawność; ubóstwo i świadczenia",
            "Emerytura, renta z tytułu niezdolności do pracy, renta socjalna, dodatek "
            "pielęgnacyjny, pomoc w wypełnieniu wniosków.",
            "seniorzy, osoby niezdolne do pracy i ich rodziny",
            "wizyta w sali obsługi klientów lub wniosek przez PUE ZUS",
        ),
        _row(
            lodz,
            "Szkoła Podstawowa nr 36 w Łodzi",
            "edukacja",
            "Świetlica szkolna, pedagog i psycholog szkolny",
            "edukacja; dzieci i rodzina",
            "Opieka świetlicowa po lekcjach, pomoc w nauce, wsparcie pedagoga i psychologa "
            "szkolnego, współpraca z rodziną i ośrodkiem pomocy społecznej.",
            "uczniowie szkoły i ich rodzice",
            "zapis u wychowawcy lub w sekretariacie szkoły",
        ),
        _row(
            lodz,
            'Stowarzyszenie "POMOST"',
            "organizacja pozarządowa",
            "Wsparcie osób z problemami zdrowia psychicznego i ich rodzin",
            "zdrowie psychiczne; niepełnosprawność",
            "Grupy wsparcia, zajęcia aktywizujące i pomoc w powrocie do życia społecznego dla "
            "osób z doświadczeniem kryzysu psychicznego oraz ich bliskich.",
            "osoby z problemami zdrowia psychicznego, ich rodziny",
            "kontakt ze stowarzyszeniem, bez skierowania",
        ),
        _row(
            lodz,
            'Fundacja "2035"',
            "organizacja pozarządowa",
            "Zajęcia i wsparcie dla dzieci i młodzieży",
            "dzieci i rodzina; edukacja",
            "Przykładowa usługa organizacji partnerskiej PZK: zajęcia rozwijające i wsparcie "
            "młodych ludzi oraz ich rodzin we współpracy z ośrodkiem pomocy społecznej.",
            "dzieci i młodzież, rodziny",
            "kontakt z fundacją lub przez pracownika socjalnego",
        ),
        _row(
            zdunska,
            'Stowarzyszenie "Trampolina dla Polski"',
            "organizacja pozarządowa",
            "Aktywizacja społeczna i zawodowa młodzieży",
            "bezrobocie i praca; edukacja",
            "Przykładowa usługa partnera PZK: warsztaty, doradztwo i wolontariat pomagające "
            "młodym ludziom wejść na rynek pracy.",
            "młodzież i młodzi dorośli",
            "kontakt ze stowarzyszeniem lub przez pracownika socjalnego",
        ),
    ]


def demo_rows() -> list[dict[str, str]]:
    return [row for town in TOWNS for row in _town_rows(town)] + _partners()


async def load_demo_basket(session: AsyncSession) -> int:
    """Load the example basket; running it again changes nothing. Returns services created."""
    report = await import_rows(session, demo_rows(), is_example=True)
    return report.created
