"""Demo content that `load_demo_content` loads on a fresh site."""

from datetime import date

PRACTICE = {
    "name": "Example Spine Practice",
    "tagline": "Careful, honest care for complex and repeat spine problems.",
    "phone": "+1 555 0100",
    "email": "office@example.com",
    "medical_disclaimer": (
        "The information on this website is general and is not medical advice for "
        "your own situation. Reading it or sending us a message does not create a "
        "doctor-patient relationship. In an emergency, call your local emergency "
        "number straight away."
    ),
}

SURGEON = {
    "name": "Dr. Jane Example",
    "slug": "dr-jane-example",
    "role": "Consultant spine surgeon",
    "credentials": "MD (placeholder credentials)",
    "specialties": (
        "Revision spine surgery\n"
        "Second opinions before a repeat operation\n"
        "Spinal fusion and non-union\n"
        "Infection after spine surgery"
    ),
    "affiliations": (
        "Example General Hospital (placeholder)\n"
        "Example University School of Medicine (placeholder)\n"
        "Example Society of Spine Surgeons (placeholder)"
    ),
    "photo_alt": "A plain placeholder silhouette in place of the surgeon's portrait",
    "biography": (
        "<p>Dr. Jane Example is a placeholder profile for a consultant spine surgeon. "
        "Her work centers on complex spine problems, and in particular on people whose "
        "earlier spine surgery did not bring the relief they hoped for. Many of her "
        "patients arrive tired, worried and unsure whom to trust, and she takes the "
        "time to hear the whole story before looking at a single scan.</p>"
        "<p>She believes that good decisions are made together. She explains what the "
        "tests show, what surgery can and cannot change, and what the other options "
        "are, in plain words. When an operation is not likely to help, she says so, and "
        "helps plan the care that is. When it is, she plans it with great care and "
        "sets honest expectations for recovery.</p>"
    ),
}

# Placeholder places: the addresses and numbers are fictional (555-01xx is set aside for it).
LOCATIONS = [
    {
        "name": "Downtown clinic",
        "street_address": "100 Example Street, Suite 200",
        "locality": "Springfield",
        "region": "ST",
        "postal_code": "00000",
        "phone": "+1 555 0100",
        "hours_note": "Closed on public holidays.",
        "hours": [(day, "08:30", "17:00") for day in range(5)],
    },
    {
        "name": "Riverside outpatient center",
        "street_address": "200 Sample Avenue",
        "locality": "Riverside",
        "region": "ST",
        "postal_code": "00001",
        "phone": "+1 555 0101",
        "hours_note": "Consultations by appointment only.",
        "hours": [(1, "09:00", "13:00"), (1, "14:00", "18:00"), (3, "09:00", "16:00")],
    },
]

# The demo closes every location on the next of these (US federal holidays on fixed dates).
FIXED_HOLIDAYS = [
    (1, 1, "New Year's Day"),
    (6, 19, "Juneteenth"),
    (7, 4, "Independence Day"),
    (11, 11, "Veterans Day"),
    (12, 25, "Christmas Day"),
]


# Kinds of visit: (slug, name, description, minutes, bookable online, who may book it).
VISIT_TYPES = [
    (
        "follow-up",
        "Follow-up visit",
        "For patients the surgeon has seen before.",
        20,
        True,
        "returning",
    ),
    (
        "check-after-surgery",
        "Check after an operation",
        "For patients who had their operation with us.",
        20,
        True,
        "post_operative",
    ),
    (
        "first-consultation",
        "First consultation",
        "New patients: send a request and the office calls you to arrange it.",
        40,
        False,
        "returning",
    ),
    (
        "second-opinion",
        "Second opinion",
        "Send a request with your earlier scans and reports in mind; the office calls you.",
        60,
        False,
        "returning",
    ),
]

# The demo surgeon's weekly clinics: (location's position in LOCATIONS, weekday, from,
# until, the visit types seen).
CLINIC_SESSIONS = [
    (0, 0, "09:00", "12:00", ["follow-up", "check-after-surgery"]),
    (0, 3, "13:30", "16:30", ["follow-up", "check-after-surgery", "first-consultation"]),
    (1, 1, "09:00", "13:00", ["follow-up", "check-after-surgery", "second-opinion"]),
]


def next_holiday(today):
    """The first fixed-date holiday after `today`, as (date, name)."""
    return min(
        (date(year, month, day), name)
        for year in (today.year, today.year + 1)
        for month, day, name in FIXED_HOLIDAYS
        if date(year, month, day) > today
    )


CONDITIONS = [
    {
        "title": "Revision spine surgery",
        "slug": "revision-spine-surgery",
        "eyebrow": "Full-spine surgery",
        "summary": (
            "Revision spine surgery is a planned second (or later) operation on a part "
            "of the spine that has been operated on before. It may be offered when the "
            "first operation did not bring the expected relief, when symptoms came back "
            "after a period of improvement, or when a new problem has developed. The "
            "goal is to find and treat a specific cause, not simply to operate again."
        ),
        "also_known_as": (
            "Redo spine surgery, spine reoperation, spinal hardware revision, "
            'surgery for "failed back surgery syndrome"'
        ),
        "approach": (
            "<p>We start from the idea that a second operation has to earn its place. "
            "Our surgeon looks for one clear, specific cause of your symptoms and checks "
            "that your scans and your examination point to the same problem. If they "
            "do, we plan the operation in detail and talk openly about what it can "
            "achieve. If they do not, we say so, and we help you build a plan of "
            "non-operative care instead.</p>"
            "<p>You will always know why we are recommending something, what the "
            "alternatives are, and what a realistic recovery looks like. Decisions are "
            "made together, at a pace that suits you.</p>"
        ),
        "when_to_seek_opinion": (
            "<p>It is worth asking for a specialist opinion if you have had spine "
            "surgery and your symptoms have not settled, are getting worse, or have "
            "changed. This matters even more when a scan has already shown a specific "
            "problem. Being seen early leaves time to try treatments without surgery "
            "and, if an operation is needed, to plan it well.</p>"
            "<ul>"
            "<li>Pain in the back, neck, arm or leg that has not improved, or has come "
            "back, after your operation</li>"
            "<li>New weakness or numbness in an arm or leg</li>"
            "<li>Any change in bladder or bowel control (if this is sudden, call your "
            "local emergency number now)</li>"
            "<li>A scan or X-ray that shows a loose or broken implant, a fusion that has "
            "not healed, or a new problem near the earlier operation</li>"
            "</ul>"
        ),
        "last_reviewed_on": date(2026, 11, 2),
        "is_featured": True,
        "sections": [
            (
                "Why a second operation is different",
                (
                    "<p>Operating on a spine for the second time is harder than the first "
                    "time. The body has healed around the earlier surgery, so the surgeon "
                    "meets a different landscape:</p>"
                    "<ul>"
                    "<li><strong>Scar tissue</strong> that sticks to nerves and to the "
                    "protective lining around them</li>"
                    "<li><strong>Changed anatomy</strong>, because bone or disc may have "
                    "been removed before</li>"
                    "<li><strong>Implants</strong> such as screws and rods that are already "
                    "in place</li>"
                    "<li><strong>A patient who has already had one operation</strong>, and "
                    "whose body and hopes carry the weight of it</li>"
                    "</ul>"
                    "<p>Because of this, reaching the problem takes more work, more blood "
                    "is usually lost, and there is a higher chance of a tear in the dura "
                    "(the sac around the nerves) or of injury to a nerve. Planning therefore "
                    "has to be more detailed.</p>"
                ),
            ),
            (
                "Reasons it may be needed",
                (
                    "<p>A revision may be considered for one of the problems below. In every "
                    "case, the scans must show a problem that matches your symptoms. A "
                    "finding on a scan on its own is not enough.</p>"
                    "<ul>"
                    "<li><strong>A fusion that has not healed</strong> (pseudarthrosis) and "
                    "is causing symptoms</li>"
                    "<li><strong>Adjacent-segment disease</strong>: wear and tear at the "
                    "level next to a fused one</li>"
                    "<li><strong>A disc herniation or narrowing (stenosis) that has come "
                    "back</strong> and is clearly pressing on a nerve root or the spinal "
                    "cord</li>"
                    "<li><strong>Problems with implants</strong>: screws or rods that have "
                    "loosened, broken or moved</li>"
                    "<li><strong>An infection at the surgical site</strong> that treatment "
                    "without surgery has not brought under control</li>"
                    "<li><strong>A deformity that keeps getting worse</strong> even though "
                    "it was corrected before</li>"
                    "<li><strong>A leak of spinal fluid</strong> or a dural tear that has not "
                    "healed</li>"
                    "<li><strong>Scar tissue pressing on nerve roots</strong></li>"
                    "</ul>"
                ),
            ),
            (
                "When surgery is not the answer",
                (
                    "<p>Sometimes the scans look satisfactory, the nerve examination is "
                    "normal, and the pain does not behave like a mechanical problem (for "
                    "example, it does not clearly change with movement or position). In that "
                    "situation another operation is unlikely to help, and a structured plan "
                    "without surgery is usually the better choice. It may include:</p>"
                    "<ul>"
                    "<li>Pain management from a specialist team</li>"
                    "<li>Physiotherapy and a guided exercise program</li>"
                    "<li>Psychological support, where it helps with living with long-term "
                    "pain</li>"
                    "<li>An open conversation about what surgery can and cannot do</li>"
                    "</ul>"
                    "<p>You may have been told you have \u201cfailed back surgery "
                    "syndrome\u201d. This is a label that describes ongoing pain after "
                    "surgery. It is not a diagnosis, because it does not say what is causing "
                    "the pain. Our job is to look for a specific cause.</p>"
                ),
            ),
            (
                "How we plan a revision",
                (
                    "<p>Planning a revision takes time, and each step answers a question. "
                    "We usually work through five steps:</p>"
                    "<ol>"
                    "<li><strong>Start again with your story.</strong> We take a new, full "
                    "history and examine you, and we review the notes from your earlier "
                    "operation and your older scans.</li>"
                    "<li><strong>Get up-to-date pictures.</strong> New MRI and CT scans show "
                    "your spine as it is today, where the implants sit, and any new "
                    "problem.</li>"
                    "<li><strong>Add specific tests if needed.</strong> These may include "
                    "blood tests for infection and, sometimes, taking a fluid sample with a "
                    "needle; X-rays taken while bending forward and back; a CT myelogram "
                    "(a CT scan after dye is placed around the nerves); or injections that "
                    "help show which level is causing the pain.</li>"
                    "<li><strong>Make a surgical plan.</strong> The plan covers how to deal "
                    "with scar tissue, how to limit blood loss, monitoring of the nerves "
                    "during surgery, which implants to use, and what to do if things are not "
                    "as expected.</li>"
                    "<li><strong>Talk honestly.</strong> We discuss the benefit you can "
                    "expect, how long recovery may take, and the chance that your symptoms "
                    "will not go away completely.</li>"
                    "</ol>"
                ),
            ),
            (
                "Getting ready",
                (
                    "<p>A few things make a real difference before a revision:</p>"
                    "<ul>"
                    "<li>Choose a surgeon who has experience with revision surgery, and feel "
                    "free to get a second opinion.</li>"
                    "<li>Bring all your earlier records and scans, including operative notes "
                    "and imaging discs.</li>"
                    "<li>Work with your family doctor to get diabetes and blood pressure well "
                    "controlled.</li>"
                    "<li>Stop smoking. Smoking slows bone healing and makes a fusion less "
                    "likely to heal.</li>"
                    "<li>Plan for a longer recovery than after your first operation, "
                    "including help at home.</li>"
                    "</ul>"
                ),
            ),
            (
                "What the operation may involve",
                (
                    "<p>Every revision is planned for the problem that has been found. "
                    "Depending on the cause, the operation may include:</p>"
                    "<ul>"
                    "<li>Taking out loose or broken implants and putting in new ones</li>"
                    "<li>Adding bone graft, or using a different technique, so that a fusion "
                    "can heal</li>"
                    "<li>Removing scar tissue or disc material that is pressing on "
                    "nerves</li>"
                    "<li>Cleaning out an infection and replacing implants that are "
                    "affected</li>"
                    "</ul>"
                    "<p>We use minimally invasive (smaller-incision) techniques where they "
                    "are suitable. This is possible less often than in a first operation, "
                    "because of scar tissue and existing implants.</p>"
                ),
            ),
            (
                "Recovery",
                (
                    "<p>Most people stay in hospital for a few days. At home, you balance "
                    "rest with gentle, guided movement, and build up activity step by "
                    "step.</p>"
                    "<ul>"
                    "<li>Physiotherapy is an essential part of recovery, not an extra.</li>"
                    "<li>You will have regular follow-up visits to check your progress, "
                    "your wound and, where relevant, your X-rays.</li>"
                    "</ul>"
                    "<p>Recovery after a revision is usually slower than after a first "
                    "operation, and the improvement is often more modest. Everyone heals at "
                    "their own pace, so we will give you a timeline that fits your own "
                    "situation.</p>"
                ),
            ),
            (
                "What it can and cannot achieve",
                (
                    "<p>Revision surgery works best when there is a clear physical target "
                    "that can be seen and defined, for example:</p>"
                    "<ul>"
                    "<li>A nerve root that is clearly being squeezed</li>"
                    "<li>An implant that is clearly broken</li>"
                    "<li>A fused segment that has clearly not healed</li>"
                    "</ul>"
                    "<p>It works least well for pain that is spread out and has no "
                    "mechanical cause. In that case, another operation is more likely to add "
                    "risk than relief, and other kinds of care usually serve you better.</p>"
                ),
            ),
        ],
        "questions": [
            (
                "What is revision spine surgery?",
                (
                    "<p>It is a planned operation on a part of the spine that has already "
                    "had surgery. It may be offered when the first operation did not help as "
                    "expected, when symptoms came back, or when a new problem appeared. The "
                    "aim is to treat a specific cause that has been found.</p>"
                ),
            ),
            (
                "When is it considered?",
                (
                    "<p>It is considered when there is a clear problem, such as a fusion "
                    "that has not healed, a loose or broken implant, a new disc herniation, "
                    "wear at the level next to a fusion, or an infection that has not "
                    "settled. The scans must match your symptoms. If they do not, care "
                    "without surgery is usually the better path.</p>"
                ),
            ),
            (
                "How is the cause found?",
                (
                    "<p>We start with a new history and examination, and we review your "
                    "earlier operative notes and scans. New MRI and CT scans show your spine "
                    "as it is now. Where needed, we add tests such as blood tests for "
                    "infection, bending X-rays, a CT myelogram, or injections that help find "
                    "the painful level.</p>"
                ),
            ),
            (
                "Is it riskier than the first operation?",
                (
                    "<p>Yes, usually. Scar tissue, changed anatomy and existing implants make "
                    "the operation harder, blood loss tends to be higher, and the chance of a "
                    "dural tear or nerve injury is greater. This is why we plan a revision in "
                    "more detail and talk through the risks with you before deciding.</p>"
                ),
            ),
            (
                "What does \u201cfailed back surgery syndrome\u201d mean?",
                (
                    "<p>It is a term used for pain that continues after spine surgery. It is "
                    "a label, not a diagnosis, because it does not explain why the pain is "
                    "there. Our work is to look for a specific cause, and to be honest if "
                    "surgery is not the right way to treat it.</p>"
                ),
            ),
            (
                "What recovery should I expect?",
                (
                    "<p>Most people spend a few days in hospital, then recover at home with "
                    "a mix of rest and guided movement. Physiotherapy and regular follow-up "
                    "visits are essential. Recovery is usually slower than after a first "
                    "operation, and timelines differ from person to person.</p>"
                ),
            ),
            (
                "Is it worth it?",
                (
                    "<p>It can be, when there is a clear and specific target, such as a "
                    "pinched nerve root, a broken implant or a fusion that has not healed. "
                    "It is much less likely to help pain that is widespread and has no "
                    "mechanical cause. Results are often more modest than after a first "
                    "operation, and we will talk through what is realistic for you.</p>"
                ),
            ),
        ],
        "related": [
            "pseudarthrosis",
            "adjacent-segment-disease",
            "recurrent-disc-herniation",
        ],
    },
    {
        "title": "Pseudarthrosis",
        "slug": "pseudarthrosis",
        "eyebrow": "Spinal fusion",
        "summary": (
            "Pseudarthrosis means that a spinal fusion has not healed into one solid "
            "piece of bone. After a fusion, the vertebrae are expected to grow together "
            "over many months. When they do not, a little movement remains at that "
            "level. Some people have no symptoms from this, while others have pain, "
            "loosening or breakage of screws or rods, or nerve symptoms."
        ),
        "also_known_as": "Non-union, failed fusion",
        "approach": (
            "<p>We do not treat a scan on its own. Our surgeon first checks whether the "
            "fusion has truly not healed, and then whether that is really the cause of "
            "your symptoms. A non-union that causes no trouble may only need watching. "
            "When it is causing pain or implant problems, we look at why it did not heal "
            "and address those reasons, so that a second attempt has the best chance of "
            "success.</p>"
        ),
        "when_to_seek_opinion": (
            "<p>Consider a specialist opinion if you have had a spinal fusion and your "
            "pain has not settled, has come back after a good period, or you have been "
            "told that a screw or rod is loose or broken.</p>"
            "<ul>"
            "<li>Pain at the fused level that is worse with movement</li>"
            "<li>A scan or X-ray report that mentions non-union, lucency around screws, "
            "or broken implants</li>"
            "<li>New leg or arm symptoms such as weakness or numbness</li>"
            "</ul>"
        ),
        "last_reviewed_on": date(2026, 11, 2),
        "is_featured": True,
        "sections": [
            (
                "What happens when a fusion does not heal",
                (
                    "<p>A spinal fusion joins two or more vertebrae so that they heal into "
                    "one solid block. Screws and rods hold the bones still while new bone "
                    "grows across, which usually takes many months. If solid bone does not "
                    "form, some movement stays at that level. Over time, this movement can "
                    "cause pain and can put strain on the implants, which may loosen or "
                    "break.</p>"
                ),
            ),
            (
                "Why it happens",
                (
                    "<p>Several things can make it harder for a fusion to heal:</p>"
                    "<ul>"
                    "<li>Smoking or nicotine use</li>"
                    "<li>Diabetes, especially when it is not well controlled</li>"
                    "<li>Weak bones (osteoporosis)</li>"
                    "<li>Some medicines, such as long-term steroids</li>"
                    "<li>Fusions that span several levels</li>"
                    "<li>Infection, which can be low-grade and hard to spot</li>"
                    "</ul>"
                ),
            ),
            (
                "How it is diagnosed",
                (
                    "<p>A CT scan is usually the best test to see whether bone has grown "
                    "across the fused level. X-rays taken while bending forward and back can "
                    "show movement where there should be none. Blood tests may be used to "
                    "look for infection. Because fusion takes time, a diagnosis is usually "
                    "made only after enough months have passed for healing to be "
                    "expected.</p>"
                ),
            ),
            (
                "Treatment options",
                (
                    "<p>Not every non-union needs surgery. If symptoms are mild, treatment "
                    "may include activity changes, physiotherapy, pain relief and attention "
                    "to bone health and smoking. When the non-union is causing ongoing pain "
                    "or implant failure, a revision operation may be advised. This often "
                    "means replacing implants, adding bone graft, or fusing the spine from a "
                    "different direction to give the bone a better chance to heal.</p>"
                ),
            ),
        ],
        "questions": [
            (
                "Does a non-union always cause pain?",
                (
                    "<p>No. Some people have a fusion that has not fully healed but feel "
                    "well and need no treatment. It matters when it causes pain, implant "
                    "problems or nerve symptoms that match what the scans show.</p>"
                ),
            ),
            (
                "Can I do anything to help my fusion heal?",
                (
                    "<p>Stopping smoking and nicotine is one of the most helpful steps. "
                    "Keeping diabetes under control, eating well and following your "
                    "surgeon\u2019s advice on activity and bone health also help.</p>"
                ),
            ),
            (
                "Will I need another operation?",
                (
                    "<p>Not always. If the non-union is causing few symptoms, it may simply "
                    "be watched. If it causes ongoing pain or broken implants, a revision may "
                    "be the best option, and we will talk through the benefits and risks "
                    "with you.</p>"
                ),
            ),
        ],
        "related": [
            "revision-spine-surgery",
            "adjacent-segment-disease",
        ],
    },
    {
        "title": "Adjacent-segment disease",
        "slug": "adjacent-segment-disease",
        "eyebrow": "Spinal fusion",
        "summary": (
            "Adjacent-segment disease is wear and tear at the level of the spine just "
            "above or below an earlier fusion. That level may take on extra work once "
            "the fused part no longer moves, and it can also wear with age. In some "
            "people the disc or joints there break down enough to cause new pain or "
            "press on nerves, sometimes years after a successful first operation."
        ),
        "also_known_as": "Adjacent-level disease, transition syndrome",
        "approach": (
            "<p>Changes next to a fusion are common on scans and often cause no "
            "trouble, so we look for a clear link between what the scans show and what "
            "you feel. Most people start with treatment without surgery. When a nerve is "
            "clearly being compressed or the level has become unstable and symptoms do "
            "not settle, our surgeon discusses whether surgery makes sense and what it "
            "would involve.</p>"
        ),
        "when_to_seek_opinion": (
            "<p>Consider a specialist opinion if you had a fusion in the past and now "
            "have new back or neck pain, or new arm or leg symptoms, that are not "
            "settling after several weeks.</p>"
            "<ul>"
            "<li>Pain that spreads into an arm or leg</li>"
            "<li>Numbness, tingling or weakness</li>"
            "<li>Difficulty walking or standing for as long as before</li>"
            "</ul>"
        ),
        "last_reviewed_on": date(2026, 11, 2),
        "is_featured": True,
        "sections": [
            (
                "What it is",
                (
                    "<p>After a fusion, the fused vertebrae move as one piece. The levels "
                    "just above and below keep moving, and may carry some of the load the "
                    "fused level used to share. Over time the disc and joints at these "
                    "levels can wear. Normal ageing plays a part too, so it is not always "
                    "clear how much is due to the fusion itself.</p>"
                ),
            ),
            (
                "Symptoms",
                (
                    "<p>Many people with wear next to a fusion have no symptoms at all. "
                    "When it does cause trouble, it may lead to:</p>"
                    "<ul>"
                    "<li>New back or neck pain, often after a good period following "
                    "surgery</li>"
                    "<li>Pain, numbness or tingling in an arm or leg if a nerve is "
                    "pressed</li>"
                    "<li>Leg pain or heaviness when walking, caused by narrowing "
                    "(stenosis)</li>"
                    "</ul>"
                ),
            ),
            (
                "How it is diagnosed",
                (
                    "<p>We start with your history and an examination. An MRI shows discs "
                    "and nerves, a CT shows bone and the earlier fusion, and X-rays taken "
                    "while bending can show whether the level is moving too much. The "
                    "findings must match your symptoms before treatment is planned.</p>"
                ),
            ),
            (
                "Treatment options",
                (
                    "<p>Treatment usually begins without surgery: physiotherapy, activity "
                    "advice, pain relief and, in some cases, injections. If a nerve is "
                    "clearly compressed or the level is unstable and symptoms continue, "
                    "surgery may be considered. This may mean relieving pressure on the "
                    "nerves, extending the fusion to the next level, or both, as part of a "
                    "revision operation.</p>"
                ),
            ),
        ],
        "questions": [
            (
                "Did my first operation cause this?",
                (
                    "<p>It may have played a part, but wear at nearby levels also happens "
                    "with age in people who never had surgery. It is often not possible to "
                    "say exactly how much is due to the fusion.</p>"
                ),
            ),
            (
                "Will I need my fusion extended?",
                (
                    "<p>Not necessarily. Many people improve with treatment without surgery. "
                    "Extending the fusion is considered only when there is a clear problem, "
                    "such as nerve compression or instability, that matches your symptoms "
                    "and has not settled.</p>"
                ),
            ),
        ],
        "related": [
            "revision-spine-surgery",
            "pseudarthrosis",
            "recurrent-disc-herniation",
        ],
    },
    {
        "title": "Recurrent disc herniation",
        "slug": "recurrent-disc-herniation",
        "eyebrow": "Disc disease",
        "summary": (
            "A recurrent disc herniation is a new bulge of disc material at the same "
            "level where a disc was operated on before. After a discectomy, the part of "
            "the disc that pressed on the nerve is removed, but the rest of the disc "
            "stays. Sometimes more disc material pushes out later, causing the same kind "
            "of arm or leg pain to return after a period of relief."
        ),
        "also_known_as": "Re-herniation, recurrent slipped disc",
        "approach": (
            "<p>Returning pain after disc surgery is worrying, but it does not always "
            "mean another operation. Our surgeon checks that the new symptoms match a "
            "new herniation on MRI and not scar tissue or another cause. Many "
            "re-herniations settle with time and treatment without surgery. When pain or "
            "weakness persists, we explain the surgical options and help you choose the "
            "one that fits you.</p>"
        ),
        "when_to_seek_opinion": (
            "<p>Consider a specialist opinion if arm or leg pain comes back after disc "
            "surgery and does not ease over a few weeks, or sooner if you notice:</p>"
            "<ul>"
            "<li>Weakness in a leg, foot or arm</li>"
            "<li>Numbness that is spreading</li>"
            "<li>Any change in bladder or bowel control, or numbness around the groin "
            "(call your local emergency number now)</li>"
            "</ul>"
        ),
        "last_reviewed_on": date(2026, 11, 2),
        "is_featured": True,
        "sections": [
            (
                "Why a disc can herniate again",
                (
                    "<p>During a discectomy, the surgeon removes the piece of disc that is "
                    "pressing on the nerve. Most of the disc is left in place to keep "
                    "supporting the spine. The opening in the outer wall of the disc may not "
                    "heal fully, and more disc material can later push through. This can "
                    "happen weeks or years after surgery, and it is not usually caused by "
                    "anything the patient did wrong.</p>"
                ),
            ),
            (
                "Symptoms",
                (
                    "<p>The symptoms are often similar to those before the first "
                    "operation:</p>"
                    "<ul>"
                    "<li>Pain that runs down an arm or leg, such as sciatica</li>"
                    "<li>Numbness or tingling in the same area</li>"
                    "<li>Weakness in some muscles</li>"
                    "</ul>"
                ),
            ),
            (
                "How it is diagnosed",
                (
                    "<p>An MRI scan, often with contrast dye, helps tell new disc material "
                    "apart from scar tissue that forms after surgery. The scan findings "
                    "need to match your symptoms and your examination.</p>"
                ),
            ),
            (
                "Treatment options",
                (
                    "<p>As with a first herniation, many people improve without surgery, "
                    "using pain relief, physiotherapy and, sometimes, an injection. If pain "
                    "or weakness continues, a repeat discectomy may be offered. If the "
                    "herniation keeps coming back, or the level has become unstable, a "
                    "fusion may be discussed as part of a revision operation.</p>"
                ),
            ),
        ],
        "questions": [
            (
                "Is it my fault that the disc herniated again?",
                (
                    "<p>Usually not. A recurrence can happen even when people follow all "
                    "the advice after surgery. The disc that remains can still wear and "
                    "bulge.</p>"
                ),
            ),
            (
                "Is a second discectomy harder than the first?",
                (
                    "<p>It is often more complex, because scar tissue from the first "
                    "operation can make it harder to reach the disc and increases the risk "
                    "of a dural tear. Careful planning helps reduce these risks.</p>"
                ),
            ),
            (
                "Will I need a fusion?",
                (
                    "<p>Most people do not. A fusion is considered only in some cases, for "
                    "example when the disc has herniated several times or the level has "
                    "become unstable.</p>"
                ),
            ),
        ],
        "related": [
            "revision-spine-surgery",
            "adjacent-segment-disease",
        ],
    },
]

GENERAL_QUESTIONS = [
    (
        "Do I need a referral?",
        (
            "<p>Requirements vary with your insurance and where you live. Some plans ask "
            "for a referral from your family doctor before a specialist visit. If you are "
            "not sure, contact our office and we will help you check. A referral letter is "
            "always welcome, as it helps us understand your history.</p>"
        ),
    ),
    (
        "What should I bring to my first visit?",
        (
            "<p>Please bring as much of your history as you can. The most helpful items "
            "are:</p>"
            "<ul>"
            "<li>Notes from any earlier spine operations (operative notes)</li>"
            "<li>Your scans on disc or another format, together with the written "
            "reports</li>"
            "<li>A list of the medicines you take, with doses</li>"
            "<li>Any referral letter and your insurance details</li>"
            "</ul>"
        ),
    ),
    (
        "How soon will the office reply to my request?",
        (
            "<p>Our office will call you back, usually within one working day. Requests "
            "sent through the website are not checked around the clock, so please do not "
            "use them for urgent or emergency problems.</p>"
        ),
    ),
    (
        "Can I get a second opinion?",
        (
            "<p>Yes. Many people come to us for a second opinion, especially before a "
            "revision operation. Please bring your records and scans, and we will give you "
            "an honest view of your options, whether or not that includes surgery.</p>"
        ),
    ),
    (
        "What should I do in an emergency?",
        (
            "<p>Call your local emergency number now if you have any of these warning "
            "signs:</p>"
            "<ul>"
            "<li>Sudden loss of control of your bladder or bowel</li>"
            "<li>Numbness in the saddle area (between the legs, around the genitals and "
            "back passage)</li>"
            "<li>Weakness in the legs that is getting worse quickly</li>"
            "</ul>"
            "<p>Do not use the website form or wait for a call back in these "
            "situations.</p>"
        ),
    ),
]
