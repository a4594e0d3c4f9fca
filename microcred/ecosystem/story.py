"""The demo story (all names fictional): a university, a vocational college, a private academy
and an industry partner co-design a mechatronics programme, as in the article the product was
conceived from. Pure data; :mod:`microcred.ecosystem.demo` plays it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

UNIVERSITY = "hollin-tu"
# The university reads issuance events on Kafka with a read-only principal of its own.
UNIVERSITY_READER = "hollin-tu-registry"
COLLEGE = "riverside-vet"
ACADEMY = "brightpath-academy"
PARTNER = "kessler-automation"

PROVIDERS: list[dict[str, Any]] = [
    {
        "provider_id": UNIVERSITY,
        "name": "Hollin Technical University",
        "provider_type": "university",
        "country": "AT",
        "region": "Upper Austria",
        "website": "https://hollin-tu.example",
        "accreditation": {
            "status": "accredited",
            "body": "Agency for Quality Assurance Hollin (EQAR-registered)",
            "reference": "https://deqar.example/reports/hollin-tu-2025",
        },
    },
    {
        "provider_id": COLLEGE,
        "name": "Riverside Vocational College",
        "provider_type": "vet",
        "country": "IE",
        "website": "https://riverside-vet.example",
        "accreditation": {
            "status": "accredited",
            "body": "Quality and Qualifications Riverside",
            "reference": "https://qqr.example/providers/riverside",
        },
    },
    {
        "provider_id": ACADEMY,
        "name": "BrightPath Academy",
        "provider_type": "private",
        "country": "NL",
        "website": "https://brightpath.example",
        "accreditation": {"status": "pending"},
    },
    {
        "provider_id": PARTNER,
        "name": "Kessler Automation GmbH",
        "provider_type": "company",
        "country": "DE",
        "region": "Bavaria",
        "website": "https://kessler-automation.example",
        "accreditation": {
            "status": "accredited",
            "body": "Chamber of Industry and Commerce Bavaria (fictional)",
        },
    },
]


def _course(
    provider_id: str,
    code: str,
    name: str,
    *,
    eqf: int | str,
    isced: str,
    outcomes: list[str],
    ects: float | None = None,
    hours: float | None = None,
    forms: tuple[str, ...] = ("blended",),
    assessment: str = "Practical project assessed against a published rubric",
    skills: tuple[tuple[str, str], ...] = (),
    prerequisites: tuple[str, ...] = (),
    languages: tuple[str, ...] = ("en",),
) -> dict[str, Any]:
    return {
        "action": "offered",
        "provider_id": provider_id,
        "course_code": code,
        "version": 1,
        "course": {
            "name": name,
            "description": f"{name}: a short course of the co-designed mechatronics programme.",
            "criteria": "Pass the final assessment with at least 50% and submit all lab work.",
            "learning_outcomes": outcomes,
            "ects": ects,
            "workload_hours": hours,
            "eqf_level": eqf,
            "isced_f": isced,
            "languages": list(languages),
            "participation_forms": list(forms),
            "assessment_type": assessment,
            "quality_assurance": "Internal QA reviewed by the provider's accredited QA body",
            "prerequisites": list(prerequisites),
            "identity_verification": "Photo ID checked at the supervised final assessment",
            "supervision": "Supervised on site",
            "grading_scheme": "1 (excellent) to 5 (fail)",
            "stackability": "Counts towards the Mechatronics University Certificate",
            "further_information": "https://mechatronics-programme.example",
            "skills": [{"name": s, "url": u, "framework": "ESCO"} for s, u in skills],
            "tags": ["mechatronics", "automation"],
        },
    }


ESCO = "http://data.europa.eu/esco/skill/"

COURSES: list[dict[str, Any]] = [
    _course(
        UNIVERSITY,
        "MECH-402",
        "Embedded Systems for Mechatronics",
        eqf=6,
        isced="0714",
        ects=5,
        outcomes=[
            "Design a microcontroller-based control loop",
            "Debug real-time embedded software on target hardware",
        ],
        skills=(("program embedded systems", ESCO + "embedded-systems"),),
    ),
    _course(
        UNIVERSITY,
        "MECH-501",
        "Advanced Control Systems Engineering",
        eqf=7,
        isced="0714",
        ects=6,
        outcomes=[
            "Model multivariable plants in state space",
            "Tune and validate robust controllers",
        ],
        prerequisites=("MECH-402 or equivalent",),
    ),
    _course(
        UNIVERSITY,
        "ROB-610",
        "Research Methods in Industrial Robotics",
        eqf=7,
        isced="0714",
        ects=4,
        forms=("online",),
        outcomes=["Plan a reproducible robotics experiment"],
    ),
    _course(
        UNIVERSITY,
        "MECH-CERT",
        "Mechatronics University Certificate",
        eqf=6,
        isced="0714",
        ects=14,
        outcomes=[
            "Integrate PLC control, embedded systems and collaborative robots "
            "in a working production cell"
        ],
        assessment="Awarded on completing its stacked components",
    ),
    _course(
        COLLEGE,
        "VET-PLC",
        "PLC Programming Fundamentals",
        eqf=4,
        isced="0714",
        ects=3,
        forms=("onsite",),
        outcomes=[
            "Write IEC 61131-3 ladder and structured text programs",
            "Commission a PLC-controlled conveyor",
        ],
        skills=(("program PLCs", ESCO + "plc-programming"),),
    ),
    _course(
        COLLEGE,
        "VET-HYD",
        "Hydraulics and Pneumatics",
        eqf=4,
        isced="0715",
        ects=2,
        forms=("onsite",),
        outcomes=["Read and build hydraulic and pneumatic circuits"],
    ),
    _course(
        COLLEGE,
        "VET-SAFE",
        "Machine Safety and Risk Assessment",
        eqf="EQF 5",
        isced="0788",
        ects=2,
        outcomes=["Perform a risk assessment to ISO 12100"],
    ),
    _course(
        COLLEGE,
        "VET-TECH",
        "Automation Technician Award",
        eqf=5,
        isced="0714",
        ects=7,
        outcomes=["Maintain and troubleshoot automated production equipment"],
        assessment="Awarded on completing its stacked components",
    ),
    _course(
        ACADEMY,
        "BPA-PY",
        "Python for Automation",
        eqf=5,
        isced="0613",
        ects=3,
        forms=("online",),
        outcomes=["Automate data collection from industrial devices"],
        skills=(("Python (computer programming)", ESCO + "python"),),
    ),
    _course(
        ACADEMY,
        "BPA-DATA",
        "Industrial Data Analytics",
        eqf=6,
        isced="0542",
        ects=4,
        forms=("online",),
        outcomes=["Detect anomalies in production sensor data"],
    ),
    _course(
        PARTNER,
        "KA-COBOT",
        "Collaborative Robot Operation",
        eqf=5,
        isced="0714",
        hours=55,
        forms=("work_based", "onsite"),
        outcomes=["Program and safely operate a collaborative robot cell"],
        skills=(("operate robots", ESCO + "operate-robots"),),
    ),
    _course(
        PARTNER,
        "KA-MAINT",
        "Predictive Maintenance in Practice",
        eqf=5,
        isced="0714",
        ects=3,
        forms=("work_based",),
        outcomes=["Plan maintenance from condition-monitoring data"],
    ),
]


def achievement(provider_id: str, code: str) -> str:
    return f"{provider_id}:{code}"


PATHWAYS: list[dict[str, Any]] = [
    {
        "pathway_id": "mechatronics-certificate",
        "owner": UNIVERSITY,
        "body": {
            "name": "Mechatronics University Certificate",
            "target_achievement_id": achievement(UNIVERSITY, "MECH-CERT"),
            "rule": {
                "kind": "all_of",
                "rules": [
                    {"kind": "achievement", "achievement_id": achievement(COLLEGE, "VET-PLC")},
                    {"kind": "achievement", "achievement_id": achievement(PARTNER, "KA-COBOT")},
                    {"kind": "achievement", "achievement_id": achievement(UNIVERSITY, "MECH-402")},
                ],
            },
            "accepted_provider_ids": [UNIVERSITY, COLLEGE, PARTNER],
        },
    },
    {
        "pathway_id": "automation-technician",
        "owner": COLLEGE,
        "body": {
            "name": "Automation Technician Award",
            "target_achievement_id": achievement(COLLEGE, "VET-TECH"),
            "rule": {
                "kind": "min_ects",
                "min_ects": 7,
                "rules": [
                    {"kind": "achievement", "achievement_id": achievement(COLLEGE, code)}
                    for code in ("VET-PLC", "VET-HYD", "VET-SAFE")
                ]
                + [{"kind": "achievement", "achievement_id": achievement(ACADEMY, "BPA-PY")}],
            },
            "accepted_provider_ids": [COLLEGE, ACADEMY],
        },
    },
]


@dataclass(frozen=True)
class Learner:
    name: str
    email: str
    # What the providers' own systems call the learner; their completion ids name it.
    enrolment: str
    completions: list[tuple[str, str]] = field(default_factory=list)  # (provider, course)


LEARNERS = [
    Learner(
        "Ada Brennan",
        "ada.brennan@learners.example",
        "2026-0417",
        [(COLLEGE, "VET-PLC"), (PARTNER, "KA-COBOT"), (UNIVERSITY, "MECH-402")],
    ),
    Learner(
        "Bo Lindqvist",
        "bo.lindqvist@learners.example",
        "2026-0532",
        [(ACADEMY, "BPA-PY"), (COLLEGE, "VET-HYD"), (COLLEGE, "VET-PLC")],
    ),
    Learner(
        "Chen Mei",
        "chen.mei@learners.example",
        "2026-0611",
        [(ACADEMY, "BPA-DATA"), (UNIVERSITY, "MECH-501")],
    ),
    Learner("Dara Okafor", "dara.okafor@learners.example", "2026-0729", [(COLLEGE, "VET-SAFE")]),
]

# A registry that enrols learners by their e-mail address, so the completion id the provider
# reports carries it: the id is the provider's own and never leaves the issuer (the end-to-end
# scan looks for the address on every outbound topic, webhook, credential and log).
EMAIL_IN_ID = Learner(
    "Fen Ashworth",
    "fen.ashworth@learners.example",
    "fen.ashworth@learners.example",
    [(UNIVERSITY, "ROB-610")],
)

# Completes a course on the day the demo runs (a new completion on every run).
WALK_IN = Learner("Eli Novak", "eli.novak@learners.example", "walk-in", [(UNIVERSITY, "ROB-610")])

# Dara's credential is revoked in the story: the assessment was found to be compromised.
REVOKED = (LEARNERS[3], COLLEGE, "VET-SAFE", "assessment integrity breach")


def completion_id(learner: Learner, code: str) -> str:
    """The id a provider reports a completion under: its own, naming its own enrolment."""
    return f"demo/{learner.enrolment}/{code}"


def everyone() -> list[Learner]:
    return [*LEARNERS, EMAIL_IN_ID, WALK_IN]


def completion_ids() -> list[str]:
    """Every completion id of the story that is the same on every run."""
    return [
        completion_id(learner, code)
        for learner in [*LEARNERS, EMAIL_IN_ID]
        for _, code in learner.completions
    ]
