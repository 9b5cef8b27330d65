"""Demo library: resource types and 44 resources across every type and topic.

Written for this project in the field's words. Organisations named here are fictional
and say so; no child is described. Safe to run again: rows are found by slug.
"""

from datetime import date, datetime, time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from members.access import AccessLevel
from members.models import MemberType
from network.models import Topic
from practice_library import services
from practice_library.models import Attachment, Resource, ResourceStatus, ResourceType

TYPES = [
    ("practice-guide", "Practice guide", "Step-by-step guidance for people running homes."),
    (
        "case-study",
        "Case study",
        "How a home or a council did something well, and what it learned.",
    ),
    ("research-summary", "Research summary", "Studies of residential care in plain words."),
    ("policy-and-review", "Policy and review", "Reviews, consultations and what they mean."),
    ("contract-or-template", "Contract or template", "Model contracts, forms and templates."),
    ("data-and-statistics", "Data and statistics", "Data packs and how to read them."),
    ("webinar-or-recording", "Webinar or recording", "Recorded sessions with their notes."),
    (
        "young-person-friendly-version",
        "Young-person-friendly version",
        "Versions written for the young people the documents are about.",
    ),
]

PRO, COM, POL = MemberType.PROVIDER, MemberType.COMMISSIONER, MemberType.POLICY
PUB, REG, MEM = AccessLevel.PUBLIC, AccessLevel.REGISTERED, AccessLevel.MEMBERS

# slug, title, type, topics, audiences, access, published, source, summary, key points
RESOURCES = [
    (
        "preparing-for-your-ofsted-inspection",
        "Preparing for your Ofsted inspection: a practice guide for registered managers",
        "practice-guide",
        ["inspection-and-quality", "leadership-and-management"],
        [PRO],
        PUB,
        date(2024, 3, 12),
        "Network editorial team",
        "What inspectors look for in a children's home and how registered managers can show the difference the home makes to the children who live there. Covers records, the views of children and staff, and the first hour of the visit.",
        [
            "Know your home's story: how children's lives have improved since they arrived.",
            "Keep records that show decisions, not just events.",
            "Make sure staff can talk about the home's approach in their own words.",
        ],
    ),
    (
        "regulation-44-visits-getting-value",
        "Getting value from Regulation 44 visits",
        "practice-guide",
        ["inspection-and-quality", "leadership-and-management"],
        [PRO],
        MEM,
        date(2023, 9, 4),
        "Network editorial team",
        "How responsible individuals and registered managers can use the independent person's monthly visit as a real check on quality rather than a paperwork exercise.",
        [
            "Agree the focus of each visit in advance and rotate it.",
            "Ask the independent visitor to speak with children privately when they wish.",
            "Track every recommendation to an action and a date.",
        ],
    ),
    (
        "what-outstanding-homes-have-in-common",
        "What outstanding homes have in common: culture and leadership",
        "research-summary",
        ["inspection-and-quality", "leadership-and-management", "data-and-research"],
        [PRO, POL],
        PUB,
        date(2022, 6, 20),
        "Network research team",
        "A summary of studies of children's homes that stayed good or outstanding over several years. The common threads are the culture of the home and strong, stable leadership.",
        [
            "Stable registered managers who know every child well.",
            "A shared view among staff of what the home is for.",
            "Leaders who are present on shifts, not only in the office.",
        ],
    ),
    (
        "registered-manager-first-100-days",
        "Your first 100 days as a registered manager",
        "practice-guide",
        ["leadership-and-management", "workforce-and-training"],
        [PRO],
        MEM,
        date(2025, 1, 15),
        "Network editorial team",
        "A plan for new registered managers: getting to know the children and staff, the statement of purpose, relationships with placing councils and the first Regulation 45 review.",
        [
            "Spend your first week on shift with each team.",
            "Read every child's plan and meet their social workers.",
            "Review the statement of purpose with fresh eyes.",
        ],
    ),
    (
        "case-study-harbour-lights-leadership",
        "Case study: turning round a home rated requires improvement (Harbour Lights Homes, fictional)",
        "case-study",
        ["leadership-and-management", "inspection-and-quality"],
        [PRO],
        MEM,
        date(2021, 11, 2),
        "Harbour Lights Children's Homes (fictional)",
        "How a fictional provider moved a home from requires improvement to be good to good in eighteen months by stabilising leadership, rebuilding the staff team and listening to the children.",
        [
            "A permanent registered manager replaced a run of interim leaders.",
            "Agency use fell as the home recruited and trained its own staff.",
            "Children helped rewrite the house agreements.",
        ],
    ),
    (
        "recruiting-residential-care-workers",
        "Recruiting and keeping residential care workers",
        "practice-guide",
        ["workforce-and-training"],
        [PRO],
        REG,
        date(2024, 7, 8),
        "Network editorial team",
        "Practical ideas for recruiting people with the right values, supporting them through induction and keeping them: values-based interviews, shadow shifts and supervision that helps.",
        [
            "Use values-based questions and involve young people in interviews.",
            "Plan induction so no one works alone before they are ready.",
            "Give every worker regular, reflective supervision.",
        ],
    ),
    (
        "workforce-development-plan-template",
        "Workforce development plan: a template for children's homes",
        "contract-or-template",
        ["workforce-and-training", "leadership-and-management"],
        [PRO],
        MEM,
        date(2023, 2, 27),
        "Network editorial team",
        "An editable template to plan training, qualifications and supervision for a home's whole team over a year, linked to the statement of purpose.",
        [
            "Map each role to the training it needs.",
            "Record qualification progress and renewal dates.",
            "Review the plan at each Regulation 45 review.",
        ],
    ),
    (
        "webinar-supervision-that-supports",
        "Webinar: supervision that supports residential staff",
        "webinar-or-recording",
        ["workforce-and-training", "therapeutic-practice"],
        [PRO],
        MEM,
        date(2025, 5, 21),
        "Network events team",
        "A recorded session with two registered managers on reflective supervision, group reflection and how supervision helps staff stay with children through difficult times.",
        [
            "Protect supervision time in the rota.",
            "Use group reflection after incidents, not blame.",
            "Notes and slides are attached to this page.",
        ],
    ),
    (
        "sufficiency-duty-explained",
        "The sufficiency duty explained for new commissioners",
        "practice-guide",
        ["commissioning-and-contracts", "policy-and-reviews"],
        [COM],
        PUB,
        date(2023, 4, 18),
        "Network editorial team",
        "Councils must commission enough good-quality local places for the children they look after. This guide explains the duty, the sufficiency strategy and how to work with local providers.",
        [
            "Start from the needs of the children you look after now and will look after.",
            "Talk to local providers before writing the strategy, not after.",
            "Publish the strategy and review it every year.",
        ],
    ),
    (
        "framework-contract-for-childrens-homes",
        "The framework contract for children's homes: model agreement",
        "contract-or-template",
        ["commissioning-and-contracts"],
        [COM, PRO],
        MEM,
        date(2016, 5, 10),
        "Network editorial team (based on the 2007 national framework)",
        "The model framework agreement between councils and children's homes, first standardised nationally in 2007, with notes on each clause and how councils and providers use it today.",
        [
            "Individual placement agreements sit under the framework.",
            "Fees, notice periods and information sharing are set out clearly.",
            "A young-person-friendly version explains it to children.",
        ],
    ),
    (
        "framework-contract-young-person-version",
        "Your home, your placement: the framework contract explained for young people",
        "young-person-friendly-version",
        ["commissioning-and-contracts", "participation-and-childrens-voice"],
        [PRO, COM],
        PUB,
        date(2016, 9, 1),
        "Network editorial team",
        "A short, friendly explanation for young people of the agreement between their council and their children's home: what the home promises, what the council promises and who to talk to.",
        [
            "Your home and your council have an agreement about your care.",
            "You can ask to see your placement plan.",
            "You can always talk to your social worker or an advocate.",
        ],
    ),
    (
        "spot-purchase-or-framework",
        "Spot purchase or framework? Choosing how to commission placements",
        "policy-and-review",
        ["commissioning-and-contracts"],
        [COM],
        MEM,
        date(2022, 10, 3),
        "Network policy team",
        "The trade-offs between spot purchasing and framework contracts for children's home places, with questions councils can ask before choosing.",
        [
            "Spot purchases are flexible but cost more and plan less.",
            "Frameworks give stability when providers are involved early.",
            "Either way, match the home to the child, not the vacancy.",
        ],
    ),
    (
        "paying-by-po-number",
        "Working with council purchase orders: a guide for providers",
        "practice-guide",
        ["commissioning-and-contracts"],
        [PRO],
        REG,
        date(2024, 11, 11),
        "Network editorial team",
        "Councils usually pay suppliers by invoice against a purchase-order (PO) number. This guide helps providers get PO numbers, invoice correctly and avoid late payment.",
        [
            "Ask for the PO number before the placement starts.",
            "Put the PO number and the child's reference on every invoice.",
            "Agree who to contact when an invoice is queried.",
        ],
    ),
    (
        "placement-agreement-template",
        "Individual placement agreement: template",
        "contract-or-template",
        ["commissioning-and-contracts", "safeguarding"],
        [COM, PRO],
        MEM,
        date(2025, 2, 3),
        "Network editorial team",
        "A template for the individual placement agreement under a framework contract, covering the child's needs, fees, education, health and how safeguarding information is shared.",
        [
            "Record the child's needs and how the home will meet them.",
            "Set out reviews, notice and what happens in an emergency.",
            "Agree how safeguarding concerns are shared.",
        ],
    ),
    (
        "missing-from-care-protocol",
        "Children missing from care: a practice guide",
        "practice-guide",
        ["safeguarding"],
        [PRO, COM],
        PUB,
        date(2023, 8, 14),
        "Network editorial team",
        "What homes should do before, during and after a child goes missing: risk assessment, working with the police and the placing council, and return home interviews.",
        [
            "Know each child's risks and who they may be with.",
            "Follow the local missing protocol and record every step.",
            "Make sure a return home interview is offered every time.",
        ],
    ),
    (
        "exploitation-spotting-the-signs",
        "Child exploitation: spotting the signs in a children's home",
        "practice-guide",
        ["safeguarding"],
        [PRO],
        MEM,
        date(2024, 2, 6),
        "Network editorial team",
        "A guide for residential staff on criminal and sexual exploitation: signs to notice, how to record and share concerns, and working with the wider safeguarding partnership.",
        [
            "Notice changes: new phones, money, friends or missing episodes.",
            "Record what you see and share it the same day.",
            "Keep the relationship with the child open, whatever happens.",
        ],
    ),
    (
        "safeguarding-policy-template",
        "Safeguarding policy: template for children's homes",
        "contract-or-template",
        ["safeguarding", "leadership-and-management"],
        [PRO],
        MEM,
        date(2025, 6, 2),
        "Network editorial team",
        "An editable safeguarding policy written for children's homes, with roles, reporting routes, allegations against staff and links to the local safeguarding partnership.",
        [
            "Name the designated safeguarding lead and their deputy.",
            "Explain how allegations against staff are handled.",
            "Review the policy every year and after serious incidents.",
        ],
    ),
    (
        "webinar-contextual-safeguarding",
        "Webinar: contextual safeguarding for residential teams",
        "webinar-or-recording",
        ["safeguarding"],
        [PRO, COM],
        MEM,
        date(2023, 11, 22),
        "Network events team",
        "A recorded discussion on keeping children safe from harm outside the home: places, peers and online spaces, and how homes work with councils and police.",
        [
            "Map the places and people around the home.",
            "Share information with neighbouring homes and partners.",
            "Recording and slides are attached.",
        ],
    ),
    (
        "education-of-children-in-care",
        "Supporting the education of children in care",
        "practice-guide",
        ["education"],
        [PRO],
        PUB,
        date(2022, 1, 24),
        "Network editorial team",
        "How children's homes can help children attend, settle and achieve at school: working with the virtual school head, personal education plans and learning at home.",
        [
            "Know each child's personal education plan and attend its reviews.",
            "Make homework time part of the home's routine.",
            "Celebrate achievements of every size.",
        ],
    ),
    (
        "virtual-school-partnership-case-study",
        "Case study: a home and a virtual school working together (Northmoor, fictional)",
        "case-study",
        ["education", "commissioning-and-contracts"],
        [PRO, COM],
        MEM,
        date(2024, 4, 29),
        "Northmoor Borough Council (fictional)",
        "How a fictional council's virtual school and a local children's home agreed shared routines for school mornings, transport and exclusions, and what changed for attendance.",
        [
            "Named contacts on both sides, reachable the same day.",
            "A shared plan for days when a child will not go to school.",
            "Joint training for teachers and residential staff.",
        ],
    ),
    (
        "health-and-wellbeing-in-residential-care",
        "Health and wellbeing in residential care: a guide",
        "practice-guide",
        ["health-and-wellbeing"],
        [PRO],
        REG,
        date(2023, 6, 5),
        "Network editorial team",
        "Looking after children's physical and emotional health in a children's home: health assessments, registering with a GP and dentist, sleep, food and activity.",
        [
            "Register every child with a GP and dentist quickly.",
            "Keep health records up to date and shared with consent.",
            "Build healthy routines together with the children.",
        ],
    ),
    (
        "mental-health-support-pathways",
        "Mental health support for children in homes: pathways that work",
        "research-summary",
        ["health-and-wellbeing", "therapeutic-practice"],
        [PRO, COM, POL],
        MEM,
        date(2025, 3, 17),
        "Network research team",
        "A summary of what is known about getting timely mental health support for children in residential care, and how homes and councils can work with local services.",
        [
            "Early, informal support from trusted adults matters most.",
            "Clear referral routes reduce waiting and drift.",
            "Joint commissioning can fund in-reach support for homes.",
        ],
    ),
    (
        "therapeutic-care-introduction",
        "An introduction to therapeutic care in children's homes",
        "practice-guide",
        ["therapeutic-practice"],
        [PRO],
        PUB,
        date(2021, 5, 10),
        "Network editorial team",
        "What a therapeutic approach means in everyday life in a children's home: relationships, consistency, understanding behaviour as communication, and reflective practice.",
        [
            "Behaviour is communication: ask what it is telling you.",
            "Consistency across shifts builds trust.",
            "Reflective practice keeps the approach alive.",
        ],
    ),
    (
        "trauma-informed-practice-case-study",
        "Case study: introducing trauma-informed practice across five homes (Brookside Care, fictional)",
        "case-study",
        ["therapeutic-practice", "workforce-and-training"],
        [PRO],
        MEM,
        date(2024, 9, 9),
        "Brookside Care (fictional)",
        "How a fictional provider trained every member of staff in trauma-informed practice, changed its incident reviews and measured placement stability.",
        [
            "Training for every role, including cooks and drivers.",
            "Incident reviews that ask what the child needed.",
            "Fewer unplanned endings over two years.",
        ],
    ),
    (
        "webinar-therapeutic-models",
        "Webinar: choosing a therapeutic model for your home",
        "webinar-or-recording",
        ["therapeutic-practice", "leadership-and-management"],
        [PRO],
        MEM,
        date(2025, 10, 1),
        "Network events team",
        "A recorded panel on the common therapeutic models in residential care, what they ask of staff and leaders, and questions to ask before adopting one.",
        [
            "No model works without leaders who live it.",
            "Budget for clinical supervision from the start.",
            "Recording and panel notes attached.",
        ],
    ),
    (
        "staying-close-explained",
        "Staying Close explained",
        "policy-and-review",
        ["leaving-care-and-staying-close", "policy-and-reviews"],
        [PRO, COM, POL],
        PUB,
        date(2017, 2, 13),
        "Network policy team",
        "Staying Close, recommended by the 2016 independent review of residential care, lets young people leaving a children's home live nearby and keep their relationships with the home. What it is and how it works.",
        [
            "Young people live independently but close to the home.",
            "Relationships with staff continue after the move.",
            "Councils and providers share the planning.",
        ],
    ),
    (
        "staying-close-young-person-version",
        "Staying Close: what it means for you",
        "young-person-friendly-version",
        ["leaving-care-and-staying-close", "participation-and-childrens-voice"],
        [PRO, COM],
        PUB,
        date(2017, 3, 6),
        "Network editorial team",
        "A guide for young people about Staying Close: moving on from your children's home while staying near the people who know you.",
        [
            "You can keep in touch with the staff who know you.",
            "You help plan where you will live.",
            "Ask your personal adviser about Staying Close where you live.",
        ],
    ),
    (
        "leaving-care-transition-planning",
        "Planning the move from a children's home to independence",
        "practice-guide",
        ["leaving-care-and-staying-close"],
        [PRO],
        MEM,
        date(2023, 1, 30),
        "Network editorial team",
        "How homes can prepare young people for leaving care: starting early, practical skills, the pathway plan, and avoiding moves into unsuitable semi-independent accommodation.",
        [
            "Start planning at 15, not at 17 and a half.",
            "Practise skills for real: budgets, cooking, bills.",
            "Keep the young person at the centre of the pathway plan.",
        ],
    ),
    (
        "unregulated-settings-rise",
        "The rise in 16- and 17-year-olds placed in unregulated settings",
        "research-summary",
        ["leaving-care-and-staying-close", "policy-and-reviews", "data-and-research"],
        [COM, POL],
        PUB,
        date(2020, 2, 10),
        "Network research team",
        "The number of 16- and 17-year-olds placed in unregulated, often semi-independent, settings rose from 2,900 in 2009 to 6,100 in 2019. What lay behind the rise and what it means for sufficiency.",
        [
            "Placements in unregulated settings more than doubled in ten years.",
            "Shortages of suitable local places played a part.",
            "Commissioners should plan for older children explicitly.",
        ],
    ),
    (
        "childrens-voice-in-house-meetings",
        "Children's voice: house meetings that matter",
        "practice-guide",
        ["participation-and-childrens-voice"],
        [PRO],
        PUB,
        date(2024, 5, 13),
        "Network editorial team",
        "How to run house meetings where children's views change things: agendas they set, feedback on what happened, and other ways to listen to children who do not like meetings.",
        [
            "Let children set the agenda.",
            "Report back on every request, even when the answer is no.",
            "Offer other ways to be heard: suggestion boxes, one-to-ones.",
        ],
    ),
    (
        "participation-strategy-template",
        "Participation strategy: template for providers",
        "contract-or-template",
        ["participation-and-childrens-voice", "leadership-and-management"],
        [PRO],
        MEM,
        date(2022, 8, 15),
        "Network editorial team",
        "A template for a provider-wide participation strategy: how children shape the home, recruitment, complaints and advocacy, and how you will know it is working.",
        [
            "Set out the ways children take part in decisions.",
            "Involve children in staff recruitment.",
            "Make advocacy and complaints easy to reach.",
        ],
    ),
    (
        "advocacy-case-study",
        "Case study: young people on the interview panel (Riverside Homes, fictional)",
        "case-study",
        ["participation-and-childrens-voice", "workforce-and-training"],
        [PRO],
        REG,
        date(2025, 4, 7),
        "Riverside Homes (fictional)",
        "How a fictional provider trained young people to sit on interview panels for residential care workers and managers, and what it changed in who was hired.",
        [
            "Young people wrote their own interview questions.",
            "Panels were paid and prepared, not token.",
            "Managers say new staff settle better.",
        ],
    ),
    (
        "childrens-homes-data-pack",
        "Children's homes data pack: how homes are used",
        "data-and-statistics",
        ["data-and-research", "commissioning-and-contracts"],
        [COM, POL],
        MEM,
        date(2016, 12, 5),
        "Network research team (from the Department for Education's data pack)",
        "A guide to the Department for Education's data pack on children's homes: number of placements, length of stay, how councils use homes and the characteristics of the children.",
        [
            "About 7,000 children lived in children's homes in England in the mid-2010s.",
            "Councils spent about GBP 1bn a year on children's home places.",
            "The pack shows how councils' use of homes differs.",
        ],
    ),
    (
        "ofsted-ratings-over-time",
        "Ofsted ratings of children's homes over time",
        "data-and-statistics",
        ["data-and-research", "inspection-and-quality"],
        [PRO, COM, POL],
        PUB,
        date(2020, 1, 20),
        "Network research team",
        "How inspection outcomes for children's homes changed: three quarters were rated good or better in the mid-2010s, and 82% were rated good or outstanding in 2019.",
        [
            "The share of good or outstanding homes rose over the decade.",
            "Ratings are outstanding, good, requires improvement to be good, or inadequate.",
            "Ratings describe homes at one moment: read them with care.",
        ],
    ),
    (
        "using-local-data-for-sufficiency",
        "Using local data for your sufficiency strategy",
        "data-and-statistics",
        ["data-and-research", "commissioning-and-contracts"],
        [COM],
        MEM,
        date(2023, 10, 16),
        "Network research team",
        "Which local data commissioners need for a sufficiency strategy, where to find it, and how to present it so that providers can plan new homes.",
        [
            "Look at where children are placed now and why.",
            "Share anonymised demand data with local providers.",
            "Update the figures every year.",
        ],
    ),
    (
        "independent-review-of-residential-care-2016",
        "The 2016 independent review of residential care: summary and recommendations",
        "policy-and-review",
        ["policy-and-reviews", "leadership-and-management"],
        [PRO, COM, POL],
        PUB,
        date(2016, 7, 25),
        "Network policy team",
        "A summary of the 2016 independent review of residential care and its 34 recommendations, including a Residential Care Leadership Board and Staying Close.",
        [
            "34 recommendations covered leadership, workforce and commissioning.",
            "A Residential Care Leadership Board was proposed.",
            "Staying Close was recommended for young people leaving homes.",
        ],
    ),
    (
        "independent-review-progress",
        "Five years on: progress against the independent review",
        "policy-and-review",
        ["policy-and-reviews"],
        [POL, COM],
        MEM,
        date(2021, 7, 19),
        "Network policy team",
        "Where the recommendations of the 2016 independent review of residential care stood five years later, as the network sees it, and what remains to be done.",
        [
            "Staying Close moved from pilots towards wider use.",
            "Workforce and sufficiency pressures remained.",
            "The sector still needs a shared, neutral voice.",
        ],
    ),
    (
        "consultation-response-template",
        "Responding to a government consultation: a template for providers",
        "contract-or-template",
        ["policy-and-reviews"],
        [PRO, POL],
        REG,
        date(2024, 1, 22),
        "Network policy team",
        "A structured template for providers and sector bodies responding to consultations on children's social care, with tips on evidence and tone.",
        [
            "Answer the questions asked, then add what is missing.",
            "Use examples from practice, without identifying children.",
            "Coordinate with other providers through the network.",
        ],
    ),
    (
        "webinar-preparing-for-inspection",
        "Webinar: free session on preparing for inspection",
        "webinar-or-recording",
        ["inspection-and-quality"],
        [PRO],
        PUB,
        date(2025, 9, 16),
        "Network events team",
        "The recording of the network's free session on preparing for inspection, with a former inspector and a registered manager whose home was rated outstanding.",
        [
            "What happens on the day, hour by hour.",
            "How to prepare children and staff without scripting them.",
            "Questions from the audience, answered.",
        ],
    ),
    (
        "research-placement-stability",
        "Placement stability: what the research says",
        "research-summary",
        ["data-and-research", "therapeutic-practice"],
        [PRO, COM, POL],
        REG,
        date(2023, 12, 4),
        "Network research team",
        "A plain-language summary of research on placement stability in residential care: why it matters, what predicts unplanned endings, and what homes and commissioners can do.",
        [
            "Matching the child to the home is the strongest protection.",
            "Unplanned endings often follow a run of staff changes.",
            "Good information at referral reduces breakdowns.",
        ],
    ),
    (
        "inspection-young-person-version",
        "What happens when an inspector visits your home",
        "young-person-friendly-version",
        ["inspection-and-quality", "participation-and-childrens-voice"],
        [PRO],
        PUB,
        date(2024, 6, 3),
        "Network editorial team",
        "A short guide for young people about Ofsted inspections: who the inspector is, why they want to talk to you, and that you can say what you really think.",
        [
            "Inspectors want to hear from you, not only from staff.",
            "You do not have to talk to them if you do not want to.",
            "What you say helps make homes better.",
        ],
    ),
    (
        "health-passport-young-person-version",
        "Your health, your say: a guide for young people in care",
        "young-person-friendly-version",
        ["health-and-wellbeing", "participation-and-childrens-voice"],
        [PRO],
        PUB,
        date(2025, 7, 14),
        "Network editorial team",
        "A friendly guide for young people about their health assessments, seeing a GP or dentist, and who to talk to when they do not feel well in body or mind.",
        [
            "You have a right to see a doctor and a dentist.",
            "You can ask questions about your health assessment.",
            "Tell someone you trust if you are not feeling OK.",
        ],
    ),
    (
        "commissioning-webinar-market-shaping",
        "Webinar: market shaping with local providers",
        "webinar-or-recording",
        ["commissioning-and-contracts", "leadership-and-management"],
        [COM, PRO],
        REG,
        date(2024, 10, 23),
        "Network events team",
        "A recorded conversation between a commissioner and a provider on building local sufficiency together: sharing demand data, block contracts and new homes.",
        [
            "Regular provider forums build trust.",
            "Share demand data early and honestly.",
            "Long-term agreements help providers invest.",
        ],
    ),
    (
        "education-data-briefing",
        "Education of children in care: a data briefing",
        "data-and-statistics",
        ["education", "data-and-research"],
        [PRO, COM, POL],
        MEM,
        date(2025, 8, 26),
        "Network research team",
        "How to read the published figures on the education of children in care, and which questions a home or council can ask of its own data.",
        [
            "Compare like with like: age, time in care and school type.",
            "Look at attendance and exclusions as well as results.",
            "Track each child's progress, not only averages.",
        ],
    ),
    (
        "draft-workforce-census-guide",
        "Workforce census guide (draft for review)",
        "practice-guide",
        ["workforce-and-training", "data-and-research"],
        [PRO],
        MEM,
        date(2026, 1, 5),
        "Network research team",
        "A draft guide to running a workforce census across a provider's homes. In review by the editors.",
        [
            "Count roles, vacancies and agency use.",
            "Ask about training and supervision.",
            "Repeat every year.",
        ],
    ),
]

INTRO_BY_TYPE = {
    "practice-guide": "This practice guide is for people who run and work in children's homes.",
    "case-study": "This case study describes a fictional organisation, written to show practice the network sees in the field.",
    "research-summary": "This research summary puts studies of residential child care into plain words.",
    "policy-and-review": "This policy paper explains a review or policy and what it means for homes and councils.",
    "contract-or-template": "This template is a starting point: adapt it to your organisation and take advice where you need it.",
    "data-and-statistics": "This data briefing explains published figures and how to use them.",
    "webinar-or-recording": "This is the record of a session the network ran for members.",
    "young-person-friendly-version": "This version is written for young people. It is short and uses plain words.",
}

# A few resources carry a small generated PDF: (resource slug, file name, heading, lines)
PDFS = [
    ("framework-contract-for-childrens-homes", "framework-contract-notes.pdf",
     "Framework contract for children's homes: clause notes",
     ["Clause 1: Definitions of the council, the provider and the placement.",
      "Clause 2: Individual placement agreements made under this framework.",
      "Clause 3: Fees, invoicing against a purchase-order number, and payment terms.",
      "Clause 4: Notice periods and planned endings of placements.",
      "Clause 5: Safeguarding, information sharing and notifications."]),
    ("childrens-homes-data-pack", "childrens-homes-data-pack-guide.pdf",
     "Children's homes data pack: reading guide",
     ["Number of placements and length of stay.",
      "How councils use children's homes compared with other placements.",
      "Characteristics of the children living in homes.",
      "Questions commissioners can ask of their own figures."]),
    ("preparing-for-your-ofsted-inspection", "inspection-readiness-checklist.pdf",
     "Inspection readiness checklist",
     ["Statement of purpose reviewed and shared with staff.",
      "Children's records show their progress and their views.",
      "Regulation 44 reports and actions are up to date.",
      "Staff supervision and training records are complete."]),
    ("staying-close-explained", "staying-close-planning-checklist.pdf",
     "Staying Close planning checklist",
     ["Start the conversation with the young person early.",
      "Find accommodation close to the home.",
      "Agree how keyworkers stay in touch after the move.",
      "Review the arrangement with the young person regularly."]),
]  # fmt: skip

RELATED = [
    ("preparing-for-your-ofsted-inspection", "webinar-preparing-for-inspection"),
    ("preparing-for-your-ofsted-inspection", "regulation-44-visits-getting-value"),
    ("what-outstanding-homes-have-in-common", "case-study-harbour-lights-leadership"),
    ("sufficiency-duty-explained", "using-local-data-for-sufficiency"),
    ("staying-close-explained", "leaving-care-transition-planning"),
    ("independent-review-of-residential-care-2016", "independent-review-progress"),
    ("missing-from-care-protocol", "exploitation-spotting-the-signs"),
    ("therapeutic-care-introduction", "trauma-informed-practice-case-study"),
]
YOUNG_PERSON_VERSIONS = [
    ("framework-contract-for-childrens-homes", "framework-contract-young-person-version"),
    ("staying-close-explained", "staying-close-young-person-version"),
    ("preparing-for-your-ofsted-inspection", "inspection-young-person-version"),
    ("health-and-wellbeing-in-residential-care", "health-passport-young-person-version"),
]


def _body(type_slug: str, summary: str, points: list[str]) -> str:
    bullets = "\n".join(f"- {point}" for point in points)
    return (
        f"{INTRO_BY_TYPE[type_slug]}\n\n"
        f"## In short\n\n{summary}\n\n"
        f"## Key points\n\n{bullets}\n\n"
        "## Putting it into practice\n\n"
        "Talk it through with your team and, where it helps, with the children and young "
        "people it affects. Agree one or two changes, decide who will lead them, and check "
        "after three months whether they made a difference.\n\n"
        "## A reminder\n\n"
        "Never identify a child in notes, case studies or discussions that leave the home.\n"
    )


def _pdf_bytes(heading: str, lines: list[str]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", "B", 16)
    pdf.multi_cell(0, 10, heading)
    pdf.set_font("helvetica", size=11)
    pdf.ln(4)
    for line in lines:
        pdf.multi_cell(0, 7, line)
        pdf.ln(1)
    pdf.ln(4)
    pdf.set_font("helvetica", "I", 9)
    pdf.multi_cell(0, 6, "English Residential Network (demo content).")
    return bytes(pdf.output())


def seed() -> None:
    types = {}
    for order, (slug, name, description) in enumerate(TYPES):
        types[slug], _ = ResourceType.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "order": order}
        )
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    resources = {}
    for index, row in enumerate(RESOURCES):
        (
            slug,
            title,
            type_slug,
            topic_slugs,
            audiences,
            level,
            published,
            source,
            summary,
            points,
        ) = row
        is_draft = slug.startswith("draft-")
        published_at = datetime.combine(published, time(9, 30), tzinfo=tz)
        # Older content is due for review; a few reviews have already passed.
        reviewed_on = published if published.year >= 2023 else date(published.year + 2, 4, 1)
        review_due = date(reviewed_on.year + 2, reviewed_on.month, 1)
        if index % 9 == 4:
            review_due = date(today.year, 1, 1) if today.month > 1 else date(today.year - 1, 11, 1)
        resource, _ = Resource.objects.update_or_create(
            slug=slug,
            defaults={
                "title": title,
                "resource_type": types[type_slug],
                "access_level": level,
                "status": ResourceStatus.REVIEW if is_draft else ResourceStatus.PUBLISHED,
                "publish_at": None if is_draft else published_at,
                "source": source,
                "summary": summary,
                "body": _body(type_slug, summary, points),
                "reviewed_on": reviewed_on,
                "review_due": review_due,
            },
        )
        services.resource_prepare(resource=resource)
        resource.save()
        resource.topics.set([topics[s] for s in topic_slugs if s in topics])
        services.resource_audiences_set(resource=resource, audiences=list(audiences))
        resources[slug] = resource

    for one, other in RELATED:
        resources[one].related.add(resources[other])
    for original, young in YOUNG_PERSON_VERSIONS:
        Resource.objects.filter(pk=resources[original].pk).update(
            young_person_version=resources[young]
        )

    for slug, filename, heading, lines in PDFS:
        resource = resources[slug]
        if not Attachment.objects.filter(resource=resource, original_filename=filename).exists():
            uploaded = SimpleUploadedFile(
                filename, _pdf_bytes(heading, lines), content_type="application/pdf"
            )
            attachment = Attachment(resource=resource, title=heading)
            services.attachment_prepare(attachment=attachment, uploaded=uploaded)
            attachment.file.save(filename, uploaded, save=False)
            attachment.save()
            services.attachment_extract_text(attachment_id=attachment.pk)

    for resource in resources.values():
        services.resource_reindex(resource_id=resource.pk)
