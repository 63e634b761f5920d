"""Map geometry of the chapter "Energy": approximate places and the order in which each route passes them.

This is geometry, not analysis, so it stays in the package; the chapter's cells draw the map
from it (``chapters/energy.md``, figure ``fig-energy-map``). Positions are (longitude, latitude),
rounded; the lines drawn through them are schematic. A route of ``energy_routes`` appears on the
map only if its ``route_id`` is a key of :data:`ROUTE_PATHS`; to draw a new route, add its places
to :data:`PLACES` and its path here.
"""
from __future__ import annotations

PLACES: dict[str, tuple[float, float]] = {
    "Sangachal (Baku)": (49.46, 40.18),
    "Tbilisi": (44.79, 41.72),
    "Supsa": (41.78, 42.01),
    "Georgia–Türkiye border": (42.85, 41.55),
    "Erzurum": (41.27, 39.90),
    "Eskişehir": (30.52, 39.78),
    "Kipoi (Greece–Türkiye border)": (26.38, 40.92),
    "Fier (Albania)": (19.56, 40.72),
    "Melendugno (Italy)": (18.34, 40.27),
    "Ceyhan": (35.82, 37.03),
    "Makhachkala": (47.50, 42.98),
    "Tikhoretsk": (40.13, 45.85),
    "Tengiz": (53.38, 46.15),
    "Atyrau": (51.92, 47.10),
    "Uzen": (52.90, 43.30),
    "Samara": (50.10, 53.20),
    "Astrakhan": (48.03, 46.35),
    "Kropotkin": (40.57, 45.43),
    "Novorossiysk": (37.77, 44.72),
    "Beineu": (55.20, 45.32),
    "Alexandrov Gay (Russia)": (48.58, 50.15),
    "Khiva": (60.36, 41.38),
    "Kenkiyak": (56.30, 48.60),
    "Kumkol": (65.50, 46.40),
    "Atasu": (71.60, 48.70),
    "Alashankou (China)": (82.60, 45.20),
    "Amu Darya (Turkmen–Uzbek border)": (63.60, 39.10),
    "Bukhara": (64.42, 39.77),
    "Tashkent": (69.24, 41.30),
    "Shymkent": (69.59, 42.34),
    "Almaty": (76.95, 43.24),
    "Horgos (China)": (80.42, 44.21),
    "Korpeje (Turkmenistan)": (53.60, 38.50),
    "Kurt Kui (Iran)": (54.10, 36.80),
    "Dauletabad (Turkmenistan)": (61.50, 36.70),
    "Khangiran (Iran)": (60.90, 36.30),
    "Türkmenbaşy": (52.97, 40.02),
    "Aktau": (51.20, 43.65),
    "Kars": (43.10, 40.60),
    "Istanbul": (28.98, 41.01),
    "Dzhubga (Russia)": (38.70, 44.32),
    "Samsun": (36.33, 41.29),
    "Ankara": (32.85, 39.93),
    "Anapa (Russia)": (37.32, 44.89),
    "Kıyıköy": (28.09, 41.63),
}

# route_id -> the places it passes, in the direction of flow
ROUTE_PATHS: dict[str, list[str]] = {
    "SCP": ["Sangachal (Baku)", "Tbilisi", "Georgia–Türkiye border"],
    "TANAP": ["Georgia–Türkiye border", "Erzurum", "Eskişehir", "Kipoi (Greece–Türkiye border)"],
    "TAP": ["Kipoi (Greece–Türkiye border)", "Fier (Albania)", "Melendugno (Italy)"],
    "BTC": ["Sangachal (Baku)", "Tbilisi", "Erzurum", "Ceyhan"],
    "CPC": ["Tengiz", "Atyrau", "Astrakhan", "Kropotkin", "Novorossiysk"],
    "CAGP": ["Amu Darya (Turkmen–Uzbek border)", "Bukhara", "Tashkent", "Shymkent", "Almaty", "Horgos (China)"],
    "TCGP": ["Türkmenbaşy", "Sangachal (Baku)"],
    "MIDDLE": ["Horgos (China)", "Almaty", "Aktau", "Sangachal (Baku)", "Tbilisi", "Kars", "Istanbul"],
    "CAC": ["Dauletabad (Turkmenistan)", "Khiva", "Beineu", "Alexandrov Gay (Russia)"],
    "AS": ["Uzen", "Atyrau", "Samara"],
    "BN": ["Sangachal (Baku)", "Makhachkala", "Tikhoretsk", "Novorossiysk"],
    "BS": ["Sangachal (Baku)", "Tbilisi", "Supsa"],
    "KCOP": ["Atyrau", "Kenkiyak", "Kumkol", "Atasu", "Alashankou (China)"],
    "KKK": ["Korpeje (Turkmenistan)", "Kurt Kui (Iran)"],
    "DSK": ["Dauletabad (Turkmenistan)", "Khangiran (Iran)"],
    "BLUE": ["Dzhubga (Russia)", "Samsun", "Ankara"],
    "TURKS": ["Anapa (Russia)", "Kıyıköy", "Istanbul"],
}
