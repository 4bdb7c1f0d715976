"""Fixed vocabularies of the sample data: the generator's true weights, the master data (users,
products, warehouses), the word lists names and notes are drawn from, and the stage, state and
action codes events are built with."""

from __future__ import annotations

import numpy as np

from crm_core.opportunities import Stage
from crm_core.orders import FLOW, TRANSITIONS, Action, OrderStatus

GENERATOR_VERSION = "1"
# The weights the simulated outcomes really follow; deliberately not the defaults (0.3, 0.2, 0.3, 0.2).
TRUE_SCALE_WEIGHTS: tuple[float, float, float, float] = (0.50, 0.05, 0.35, 0.10)
TRUE_BANT_WEIGHTS: tuple[float, float, float, float] = (0.30, 0.15, 0.35, 0.20)
MIN_CUSTOMERS = 20
COMPANY_DOMAIN = "scalewise.example"

# --- fixed master data -------------------------------------------------------------------------------

# (name, role); id is the position + 1. User 1 is a manager, user 2 a rep, user 11 the admin.
USERS: tuple[tuple[str, str], ...] = (
    ("Maria Lindqvist", "manager"),
    ("Daniel Okafor", "rep"),
    ("Priya Raman", "rep"),
    ("Lucas Moreau", "rep"),
    ("Hannah Weber", "rep"),
    ("Marcus Chen", "rep"),
    ("Sofia Alvarez", "rep"),
    ("Tom Becker", "rep"),
    ("Aisha Khan", "rep"),
    ("James Whitfield", "manager"),
    ("Elena Petrova", "admin"),
)
REP_SHARE = (0.18, 0.15, 0.14, 0.13, 0.12, 0.11, 0.09, 0.08)  # some reps carry more accounts

# (name, list price in cents, typical quantity low, high, popularity, active); SKU = SW-1001 + position.
PRODUCTS: tuple[tuple[str, int, int, int, int, bool], ...] = (
    ("Edge Router ER-400", 185_000, 1, 20, 3, True),
    ("Core Switch CS-48", 490_000, 1, 10, 2, True),
    ("Wi-Fi Access Point AP-6 Pro", 39_000, 4, 120, 4, True),
    ("Rack Server R-740X", 1_250_000, 1, 8, 1, True),
    ("Storage Array SA-24", 1_980_000, 1, 3, 1, True),
    ("Rugged Tablet T10", 115_000, 5, 60, 3, True),
    ("Barcode Scanner BS-200", 28_500, 5, 150, 4, True),
    ("Label Printer LP-4", 64_000, 2, 40, 3, True),
    ("Thermal Label Rolls (box of 10)", 4_500, 20, 500, 5, True),
    ("USB-C Charging Cable (3-pack)", 2_400, 10, 300, 4, True),
    ("Cat6 Patch Cable Pack (25)", 7_500, 10, 200, 4, True),
    ("UPS Unit 3 kVA", 230_000, 1, 15, 2, True),
    ("IP Security Camera C4", 42_000, 4, 80, 3, True),
    ("Video Conferencing Kit VC-Room", 360_000, 1, 12, 2, True),
    ("Docking Station D-Pro", 26_000, 10, 200, 3, True),
    ("Firewall Appliance FW-900", 740_000, 1, 6, 1, True),
    ("Warehouse Handheld H5", 165_000, 5, 60, 2, True),
    ("Receipt Printer RP-80", 31_000, 2, 50, 3, True),
    ("Industrial PC IPC-7", 520_000, 1, 10, 1, True),
    ("Smart Shelf Sensor Kit", 12_900, 10, 250, 2, True),
    ("Mobile Printer MP-3", 54_000, 2, 40, 2, True),
    ("Rugged Laptop RL-14", 289_000, 1, 30, 2, True),
    ("Edge Router ER-200", 120_000, 1, 20, 2, False),
    ("Wi-Fi Access Point AP-5", 31_000, 4, 120, 3, False),
)
# (code, name, region, lead time in days); customers live in the same regions.
WAREHOUSES: tuple[tuple[str, str, str, int], ...] = (
    ("NWK", "Newark Distribution Center", "Northeast", 2),
    ("CHI", "Chicago Distribution Center", "Midwest", 1),
    ("DFW", "Dallas Distribution Center", "South", 3),
    ("RNO", "Reno Fulfillment Center", "West", 4),
)
REGION_SHARE = (0.30, 0.25, 0.25, 0.20)
REGION_TAX_BP = (700, 625, 825, 725)  # sales tax by region; Education customers are exempt


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.strip().splitlines())


REGION_AREA_CODES = _words(
    "212 617 973 215  312 614 313 414  214 713 404 305  415 206 702 503"
)  # 4 per region
# The city of each area code above (same order), for customers' addresses: "City, ST ZIP".
REGION_CITIES = _lines("""
    New York, NY 100
    Boston, MA 021
    Newark, NJ 071
    Philadelphia, PA 191
    Chicago, IL 606
    Columbus, OH 432
    Detroit, MI 482
    Milwaukee, WI 532
    Dallas, TX 752
    Houston, TX 770
    Atlanta, GA 303
    Miami, FL 331
    San Francisco, CA 941
    Seattle, WA 981
    Las Vegas, NV 891
    Portland, OR 972
""")
STREET_NAMES = _words("""
    Main Oak Maple Cedar Pine Elm Washington Lake Hill Park Market Church Spring Mill River Harbor
    Franklin Lincoln Jackson Madison Commerce Industrial Enterprise Liberty Union Bridge Center Valley
""")
STREET_KINDS = _words("Street Avenue Road Boulevard Drive Parkway Way Lane")

# Company names: brand (prefix + suffix) + an industry noun (+ legal form), e.g. "Northwind Logistics Inc."
BRAND_PREFIXES = _words("""
    North South East West Blue Red Green Silver Gold Iron Stone River Lake Summit Pine Oak Maple Cedar
    Harbor Bay Bright Clear Swift True Prime Star Sun Moon Frost Storm Eagle Falcon Hawk Fox Wolf Bear
    Lion Granite Copper Crystal
""")
BRAND_SUFFIXES = _words("""
    wind peak field bridge gate point view ridge brook wood stone crest haven line port ford vale works
    way light spring mark shore dale hill land star side well top
""")
INDUSTRIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Manufacturing", _words("Manufacturing Industries Fabrication Components")),
    ("Logistics", _words("Logistics Freight Distribution Transport")),
    ("Retail", _words("Retail Outfitters Markets Stores")),
    ("Healthcare", _words("Health Medical Clinics Care")),
    ("Software", _words("Software Systems Analytics Labs")),
    ("Construction", _words("Construction Builders Engineering Contractors")),
    ("Food & Beverage", _words("Foods Beverages Bakeries Provisions")),
    ("Energy", _words("Energy Power Solar Utilities")),
    ("Financial Services", _words("Capital Financial Insurance Partners")),
    ("Education", _words("Academy Learning Institute Schools")),
)
TAX_EXEMPT_INDUSTRY = "Education"
LEGAL_FORMS = ("Inc.", "LLC", "Corp.", "Co.", "Group", "Ltd.", "")
FIRST_NAMES = _words("""
    James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan
    Joseph Jessica Thomas Sarah Carlos Karen Daniel Nancy Matthew Lisa Anthony Betty Mark Sandra Paul
    Ashley Steven Emily Andrew Kimberly Kevin Donna Brian Michelle George Laura
""")
LAST_NAMES = _words("""
    Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez
    Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark
    Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores
""")
JOB_TITLES = ("CFO", "COO", "CIO", "Head of Operations", "IT Director", "Procurement Manager", "VP Logistics")
NEED_PURPOSES = _lines("""
    replace end-of-life equipment
    equip a new site
    standardise across all branches
    cope with seasonal peak volumes
    meet new compliance requirements
    support a growing field team
""")
LEAD_SOURCES = _lines("""
    Inbound — website form
    Referral from an existing customer
    Trade show lead
    Outbound call
    Partner referral
    Webinar attendee
""")
LOST_REASONS = _lines("""
    Chose a competitor
    No budget this year
    Price too high
    Project postponed
    No response after follow-ups
    Requirements not met
    Stayed with current supplier
""")
LOST_REASON_SHARE = (0.28, 0.14, 0.18, 0.12, 0.12, 0.08, 0.08)
MEETING_KINDS = ("call", "meeting", "demo")
MEETING_NOTES = _lines("""
    Discovery call with the buyer
    Pricing and next steps call
    On-site meeting with procurement
    Meeting with the decision maker
    Product demo for the operations team
    Live demo and Q&A with IT
""")  # two per kind, in MEETING_KINDS order
HOLD_REASONS = _lines("""
    Credit review pending
    Customer asked to delay delivery
    Awaiting purchase order number
    Delivery address being verified
    Stock check with supplier
""")
CANCEL_REASONS = _lines("""
    Customer cancelled the purchase
    Duplicate order
    Credit check failed
    Customer found a cheaper supplier
    Budget frozen
    Requested date could not be met
""")
ORDER_NOTES = _lines("""
    Deliver to loading dock B
    Call the site manager before delivery
    Include a printed packing list
    Send the invoice to the accounts payable mailbox
    Split shipment is acceptable
""")
SHIPPING_DOLLARS = {"standard": (15, 49), "express": (29, 99), "pickup": (0, 0), "freight": (150, 600)}

# Opportunity stages: the action that reaches each open stage, then the two closing actions.
STAGES: tuple[str, ...] = tuple(Stage)
REACH_ACTIONS = ("capture", "enrich", "qualify", "schedule")
WON, LOST = STAGES.index(Stage.WON), STAGES.index(Stage.LOST)
# Order states: the happy path, then on_hold and cancelled; the actions between path neighbours.
ORDER_STATES: tuple[str, ...] = (*FLOW, OrderStatus.ON_HOLD, OrderStatus.CANCELLED)
ON_HOLD, CANCELLED = len(FLOW), len(FLOW) + 1
STEP_ACTIONS: tuple[Action, ...] = tuple(
    next(a for (s, a), t in TRANSITIONS.items() if s == FLOW[j - 1] and t == FLOW[j])
    for j in range(1, len(FLOW))
)
RESERVING = np.isin(np.array(ORDER_STATES), [OrderStatus.ALLOCATED, OrderStatus.INVOICED, OrderStatus.PAID])

# Event vocabularies (events are built as small integer codes and labelled once, after sorting).
ENTITY_TYPES = ("opportunity", "order")
STATE_LABELS: tuple[str, ...] = (*STAGES, *ORDER_STATES)
ORDER_STATE_CODE = len(STAGES)  # ORDER_STATES[k] is STATE_LABELS[ORDER_STATE_CODE + k]
ACTION_LABELS: tuple[str, ...] = (
    *REACH_ACTIONS,
    "win",
    "lose",
    "create",
    *STEP_ACTIONS,
    Action.HOLD,
    Action.RESUME,
    Action.CANCEL,
)
