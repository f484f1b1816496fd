"""The demo's institutions in the eight Łódź-region municipalities (public facts).

Data alone, shared by the demo teams (`storage/demo.py`) and the demo basket
(`storage/basket/demo.py`), so that neither of those imports the other's module back.
"""

from __future__ import annotations

from storage.models import Sector

SOCIAL_CENTRES = {
    "Łódź": "Miejski Ośrodek Pomocy Społecznej w Łodzi",
    "Piotrków Trybunalski": "MOPR w Piotrkowie Trybunalskim",
    "Łowicz": "MOPS w Łowiczu",
    "Zgierz": "MOPS w Zgierzu",
    "Zduńska Wola": "MOPS – Centrum Opieki Socjalnej w Zduńskiej Woli",
    "Sieradz": "MOPS w Sieradzu",
    "Tomaszów Mazowiecki": "MOPS w Tomaszowie Mazowieckim",
    "Radomsko": "MOPS w Radomsku",
}

LODZ_PZK = [
    ("Sąd Rejonowy dla Łodzi-Śródmieścia w Łodzi", Sector.COURT),
    ("Komenda Miejska Policji w Łodzi", Sector.POLICE),
    ("Centrum Świadczeń Socjalnych w Łodzi", Sector.SOCIAL_ASSISTANCE),
    ("Zarząd Lokali Miejskich w Łodzi", Sector.HOUSING),
    ("Zakład Ubezpieczeń Społecznych I Oddział w Łodzi", Sector.SOCIAL_INSURANCE),
    ("Powiatowy Urząd Pracy w Łodzi", Sector.LABOUR),
    ("Szkoła Podstawowa nr 36 w Łodzi", Sector.EDUCATION),
    ('Stowarzyszenie "POMOST"', Sector.NGO),
    ('Fundacja "2035"', Sector.NGO),
]

EXTRA_PARTNERS = {"Zduńska Wola": [('Stowarzyszenie "Trampolina dla Polski"', Sector.NGO)]}
