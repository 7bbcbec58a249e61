"""Word lists and formats for the sample generator (``indexer.sample``): data, not logic."""
from __future__ import annotations

# Countries and their share of partners; the regions of docs/program-rules.md, Program configuration, dominate.
COUNTRY_WEIGHTS = dict(
    US=12, CA=3, MX=2, BR=3, AR=1, CL=1, CO=1, PE=1, DK=4, SE=3, NO=2, FI=2, DE=6, FR=5, GB=5, NL=3, BE=2,
    ES=3, IT=3, PL=2, AE=2, SA=1, ZA=1, AU=3, NZ=1, JP=3, SG=1, IN=2, KR=1, TW=1, CN=1, ID=1, TH=1, MY=1,
    VN=1, PH=1, CH=2, AT=2, IE=1, PT=1, CZ=1, TR=1, IL=1, HU=1, RO=1, GR=1, KE=1, NG=1, EG=1,
)
# Per language: name stems; trades; legal forms; whether the trade comes first; street templates.
WORDS = {
    "da": ("Nordlys;Fjord;Kyst;Ravn;Polar;Øresund;Jysk;Vestkyst", "Sikring;Sikkerhed;Videoteknik;Overvågning", "ApS;A/S", False,
           "Vestergade {n};Østergade {n};Banegårdspladsen {n};Industrivej {n};Strandvejen {n}"),
    "sv": ("Norrsken;Fjäll;Göta;Älv;Skärgård", "Säkerhet;Bevakning;Videoteknik;Larm", "AB", False,
           "Storgatan {n};Drottninggatan {n};Industrigatan {n};Kungsgatan {n}"),
    "no": ("Nordlys;Fjell;Vestland;Trønder;Bre", "Sikkerhet;Vakt;Videoteknikk;Overvåking", "AS", False,
           "Storgata {n};Kirkegata {n};Industriveien {n};Strandgata {n}"),
    "fi": ("Revontuli;Järvi;Karhu;Pohjola;Sampo", "Turva;Valvonta;Videotekniikka", "Oy", False,
           "Hämeenkatu {n};Kauppakatu {n};Teollisuustie {n}"),
    "de": ("Zürcher;Alpen;Rhein;Nordstern;Adler;Hanse;Elbtal;Bayerische",
           "Videotechnik;Sicherheitstechnik;Überwachungssysteme;Sicherheit", "GmbH;AG;GmbH & Co. KG", False,
           "Hauptstraße {n};Bahnhofstraße {n};Industriestraße {n};Schillerstraße {n}"),
    "fr": ("Lyonnaise;Atlantique;Azur;Alpine;Provençale;Parisienne",
           "Sécurité Vidéo;Protection Électronique;Télésurveillance;Sûreté", "SARL;SAS", True,
           "{n} rue de la République;{n} avenue Jean Jaurès;{n} boulevard Gambetta;{n} rue Pasteur"),
    "nl": ("Noordzee;Delta;Polder;Oranje;Hollandse", "Beveiliging;Videotechniek;Bewaking", "B.V.", False,
           "Kerkstraat {n};Stationsweg {n};Industrieweg {n};Dorpsstraat {n}"),
    "es": ("Ibérica;Atlántica;Andina;Levante;Mediterránea;Azteca", "Seguridad;Videovigilancia;Sistemas de Seguridad",
           "S.L.;S.A.", True, "Calle Mayor {n};Avenida de la Constitución {n};Calle Real {n};Paseo de Gracia {n}"),
    "it": ("Adriatica;Alpina;Tirrena;Lombarda;Etrusca", "Sicurezza;Videosorveglianza;Sistemi di Sicurezza", "S.r.l.;S.p.A.", True,
           "Via Roma {n};Corso Italia {n};Via Garibaldi {n};Via Dante {n}"),
    "pt": ("Atlântica;Lusitana;Paulista;Carioca;Tropical", "Segurança;Videomonitoramento;Sistemas de Segurança",
           "Ltda.;S.A.", True, "Rua das Flores, {n};Avenida Paulista, {n};Rua Augusta, {n}"),
    "pl": ("Wisła;Bałtyk;Tatry;Mazowsze;Śląsk", "Ochrona;Monitoring;Systemy Zabezpieczeń", "sp. z o.o.;S.A.", False,
           "ul. Długa {n};ul. Marszałkowska {n};ul. Przemysłowa {n}"),
    "en": ("Summit;Pinnacle;Harbour;Northgate;Redwood;Keystone;Bluewater;Sentinel;Ironbridge",
           "Security;Video Systems;Surveillance;Integrated Security", "Ltd;Inc.", False,
           "{n} Main Street;{n} High Street;{n} Station Road;{n} Park Avenue;{n} Market Street"),
}
# Split once: these are read for every partner and site.
WORDS = {lang: (stems.split(";"), trades.split(";"), forms, trade_first, streets.split(";"))
          for lang, (stems, trades, forms, trade_first, streets) in WORDS.items()}
LEGAL_FORMS = {"US": "Inc.;LLC;Corp.", "GB": "Ltd", "AU": "Pty Ltd", "NZ": "Ltd", "CA": "Inc.;Ltd.", "IN": "Pvt Ltd",
                "SG": "Pte Ltd", "JP": "K.K.", "ZA": "(Pty) Ltd", "AE": "LLC;FZE", "CH": "AG;GmbH;SA", "AT": "GmbH",
                "BE": "BV;SRL", "MX": "S.A. de C.V."}
POSTAL = {"DK": "####", "NO": "####", "CH": "####", "AT": "####", "BE": "####", "AU": "####", "NZ": "####", "ZA": "####",
           "PH": "####", "HU": "####", "GB": "@@# #@@", "NL": "#### @@", "CA": "@#@ #@#", "JP": "###-####", "PL": "##-###",
           "SE": "### ##", "CZ": "### ##", "GR": "### ##", "BR": "#####-###", "PT": "####-###", "SG": "######", "IN": "######",
           "CN": "######", "RO": "######", "IE": "@## @@##", "CL": "#######", "AE": ""}
INDUSTRIES = ("retail", "logistics", "airports", "city surveillance", "healthcare", "education", "banking",
               "critical infrastructure", "hospitality", "transportation", "manufacturing", "government", "ports", "casinos")
SENTENCES = ("Designs and installs video systems for {a} customers in {city}.",
              "Security integrator serving {a} and {b} across {country}.",
              "Milestone XProtect specialists for {a}, from design to 24/7 support.",
              "Video security, access control and analytics for {a} and {b} sites.",
              "Local {city} team with certified engineers for {a} projects.")
SITE_KINDS = ("office", "office", "branch", "headquarters", "service center")
