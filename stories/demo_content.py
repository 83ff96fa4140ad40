"""The words behind `manage.py load_demo`: demo creators, communities and stories, as plain data."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Everything here is made up. Web addresses use the reserved .example domains (RFC 2606) so no
# demo link can ever lead to a real person's page.


def paragraphs(text: str) -> tuple[str, ...]:
    """Prose: blocks separated by blank lines, each block's wrapped lines joined by spaces."""
    return tuple(" ".join(block.split()) for block in re.split(r"\n\s*\n", text.strip()))


def stanzas(text: str) -> tuple[str, ...]:
    """Verse: like paragraphs(), but each line is kept; the command renders newlines as <br>."""
    return tuple(
        "\n".join(line.strip() for line in block.strip().splitlines())
        for block in re.split(r"\n\s*\n", text.strip())
    )


@dataclass(frozen=True)
class DemoCreator:
    username: str
    display_name: str
    bio: str
    # (network, url); network is a creators.models.SocialLink.Network value.
    links: tuple[tuple[str, str], ...] = ()
    avatar: bool = False


@dataclass(frozen=True)
class DemoCommunity:
    name: str
    slug: str
    description: str
    colour: str  # the logo's background
    mark: str  # the letters on the logo


@dataclass(frozen=True)
class DemoStory:
    title: str
    subtitle: str
    creator: str  # username
    community: str  # slug
    tags: tuple[str, ...]
    # Published this many days ago; for a draft or submitted story, when it was started.
    days_ago: int
    caption: str
    body: tuple[str, ...]
    status: str = "published"  # a stories.models.Story.Status value


STAFF_USERNAME = "editor"
STAFF_DISPLAY_NAME = "Byline Editor"

CREATORS: tuple[DemoCreator, ...] = (
    DemoCreator(
        "ameliawilson",
        "Amelia Wilson",
        "Health writer in Orange County, California. I write about mental health and new "
        "treatments in plain language, so that patients can ask their doctors better questions. "
        "Nothing I write is medical advice.",
        links=(("website", "https://ameliawilson.example.com/"),),
    ),
    DemoCreator(
        "jonahreyes",
        "Jonah Reyes",
        "Short fiction about small towns, night buses and the people who never quite leave.\n\n"
        "One new story a month in my newsletter: https://jonahreyes.example.com/letters",
        links=(
            ("website", "https://jonahreyes.example.com/"),
            ("bluesky", "https://bsky.app/profile/jonahreyes.example.com"),
        ),
    ),
    DemoCreator(
        "priyanair",
        "Priya Nair",
        "Travel writer and slow-train enthusiast, based in Bengaluru. I go the long way round "
        "and write about the people I meet on it.",
        links=(
            ("instagram", "https://instagram.example/priyanair"),
            ("website", "https://priyanair.example.net/"),
        ),
        avatar=True,
    ),
    DemoCreator(
        "marcuschen",
        "Marcus Chen",
        "Software engineer for fifteen years, mostly on systems that had to keep working. "
        "I write about the unglamorous parts of building software.\n\n"
        "Notes and talks: https://marcuschen.example.org/",
        links=(
            ("github", "https://github.example/marcuschen"),
            ("mastodon", "https://mastodon.example/@marcus"),
        ),
    ),
    DemoCreator(
        "sofiabianchi",
        "Sofia Bianchi",
        "Home cook, grandmother's apprentice and occasional bread philosopher. "
        "Recipes that work on a Wednesday.",
        links=(
            ("instagram", "https://instagram.example/sofiacooks"),
            ("youtube", "https://youtube.example/@sofiabianchi"),
        ),
        avatar=True,
    ),
    DemoCreator(
        "eleanorhart",
        "Eleanor Hart",
        "Poet and teacher in Leeds. Two small collections, many notebooks. I believe every poem "
        "should be read aloud at least once.",
        links=(
            ("website", "https://eleanorhart.example.co.uk/"),
            ("bluesky", "https://bsky.app/profile/eleanorhart.example.co.uk"),
        ),
    ),
    DemoCreator(
        "danielokafor",
        "Daniel Okafor",
        "I help small teams work calmly. Writing about habits, attention and technology that "
        "gets out of the way.",
        links=(
            ("linkedin", "https://linkedin.example/in/danielokafor"),
            ("x", "https://x.example/danielokafor"),
        ),
    ),
    DemoCreator(
        "tomasferreira",
        "Tomás Ferreira",
        "Porto-born, London-based. I walk long distances, cook Portuguese food with more love "
        "than skill, and write about both.",
        links=(
            ("website", "https://tomasferreira.example.com/"),
            ("instagram", "https://instagram.example/tomas.walks"),
        ),
    ),
)

COMMUNITIES: tuple[DemoCommunity, ...] = (
    DemoCommunity(
        "Lifehack",
        "lifehack",
        "Practical ideas for living a little better: health, habits, money and the small fixes "
        "that add up.",
        "#e8743b",
        "LH",
    ),
    DemoCommunity(
        "Fiction",
        "fiction",
        "Short stories, flash fiction and serialised novels from independent writers.",
        "#5b4b8a",
        "FI",
    ),
    DemoCommunity(
        "Travel",
        "travel",
        "Dispatches from the road: places, people and the slow way of getting there.",
        "#2a9d8f",
        "TR",
    ),
    DemoCommunity(
        "Technology",
        "technology",
        "How software and hardware shape everyday life, explained by the people who build and "
        "use them.",
        "#3a6ea5",
        "TE",
    ),
    DemoCommunity(
        "Food",
        "food",
        "Recipes, kitchens and the stories behind what we eat.",
        "#c0392b",
        "FO",
    ),
    DemoCommunity(
        "Poets",
        "poets",
        "Poetry of every form, and essays about reading and writing it.",
        "#8e6c3a",
        "PO",
    ),
)

SEED_TITLE = "How Ketamine Infusion Therapy Differs from Traditional Antidepressant Medication"

# The story page Byline mirrors (DESIGN.md, seed/story-page.txt), word for word: 615 words,
# so at 238 words a minute it reads in 3 minutes, as the original page says.
SEED_STORY = DemoStory(
    title=SEED_TITLE,
    subtitle="",
    creator="ameliawilson",
    community="lifehack",
    tags=("health",),
    days_ago=380,
    caption="ketamine infusion treatment orange county",
    body=paragraphs(
        """
        Ketamine infusion therapy is a relatively new treatment option for individuals
        suffering from depression, anxiety, and other mental health conditions. Unlike
        traditional antidepressant medication, Ketamine works by targeting a different
        pathway in the brain, known as the NMDA receptor.

        Traditional antidepressant medication, such as selective serotonin reuptake
        inhibitors (SSRIs), work by increasing the levels of serotonin in the brain. This
        can take several weeks to take effect and may not be effective for everyone. In
        contrast, Ketamine works within hours and has been found to be effective in
        treatment-resistant depression. This makes Ketamine infusion therapy a potential
        game-changer for those who have not responded to traditional antidepressants.

        Another key difference between Ketamine infusion therapy and traditional
        antidepressant medication is the route of administration. Traditional
        antidepressants are taken orally, while Ketamine is administered via intravenous
        infusion. This means that the effects of Ketamine are felt much more quickly than
        traditional antidepressants. In fact, many patients report feeling better within
        hours of receiving the infusion.

        Ketamine infusion therapy is also considered to be a "fast-acting" treatment
        option for depression, meaning that it can provide relief from symptoms within
        hours. This is in contrast to traditional antidepressants, which can take several
        weeks to take effect.

        Additionally, Ketamine infusion therapy has been shown to be effective in treating
        a range of mental health conditions, including depression, anxiety, PTSD, and
        chronic pain. Traditional antidepressant medication, on the other hand, is
        primarily used to treat depression.

        It is important to note that Ketamine infusion therapy is still considered an
        experimental treatment, and more research is needed to fully understand its
        effectiveness and long-term safety. However, early studies have shown promising
        results and it is now being used in many clinics.

        The mechanism of action of Ketamine is different from traditional antidepressants,
        Ketamine acts on the NMDA receptor, which is a glutamate receptor in the brain.
        Glutamate is one of the main neurotransmitters in the brain, and it is involved in
        many cognitive functions, such as memory, learning, and emotion. By acting on the
        NMDA receptor, Ketamine is able to stimulate the growth of new synapses between
        neurons, which can lead to an improvement in mood and other symptoms.

        One of the most interesting aspects of Ketamine therapy is that it can be used to
        treat treatment-resistant depression. This is a condition in which traditional
        antidepressants have not been effective. According to the National Institute of
        Mental Health, about one-third of people with depression do not respond to
        traditional antidepressants. For these individuals, Ketamine infusion therapy may
        be a viable alternative.

        Another important aspect of Ketamine therapy is its potential to reduce suicide
        risk. Suicide is a major concern for people with depression, and traditional
        antidepressants may not be effective in reducing suicide risk. However, studies
        have shown that Ketamine infusion therapy can lead to a significant reduction in
        suicidal thoughts and behavior.

        It's also worth mentioning that Ketamine infusion therapy is not addictive, unlike
        traditional antidepressants which have the potential to be addictive. Ketamine has
        a well-established safety profile when used for medical purposes, and it has been
        used for decades as an anesthetic.

        In conclusion, Ketamine infusion therapy differs from traditional antidepressant
        medication in the way it works, the speed of onset, the route of administration
        and the range of conditions it is effective in treating. In Orange County,
        Ketamine infusion therapy is becoming more popular among patients who have not
        responded to traditional antidepressants. Patients are looking for alternatives to
        traditional antidepressants, and Ketamine infusion treatment Orange County may be
        an option for them. It's a relatively new treatment, but the preliminary results
        are encouraging. Consultation with a qualified healthcare professional is
        important before making any decisions on treatment.
"""
    ),
)

STORIES: tuple[DemoStory, ...] = (
    # --- Lifehack ---------------------------------------------------------------------------
    DemoStory(
        "What I Learned from Tracking My Sleep for Ninety Days",
        "The numbers mattered less than the habits they exposed.",
        "ameliawilson",
        "lifehack",
        ("health", "sleep"),
        41,
        "Ninety nights, one notebook.",
        paragraphs(
            """
            Last winter I bought a cheap sleep tracker after a doctor asked me, quite reasonably,
            how many hours I actually slept. I said seven. I had no idea. For the next ninety days
            I wore the band every night and wrote three lines in a notebook each morning: when I
            went to bed, how I felt, and anything unusual about the day before.

            The first surprise was how wrong I had been. My average was a little under six hours,
            and on nights after a late screen session it dropped closer to five. The tracker's
            "sleep score" was mostly noise, but the bedtimes were hard to argue with. I was not a
            seven-hour sleeper. I was a seven-hours-in-bed person who spent forty minutes
            scrolling.

            The second surprise was caffeine. I had always said coffee didn't affect me, and in
            the sense that I could fall asleep after an espresso, that was true. What changed was
            the second half of the night. On days when I had coffee after two in the afternoon, I
            woke more often and felt foggier in the morning, even when the total looked fine.

            I did not fix everything. I still stay up too late when a book is good. But I moved my
            last coffee to lunchtime, put my phone to charge in the kitchen, and set an alarm for
            going to bed rather than for getting up. By the end of the three months my average was
            six hours and forty minutes, and my notebook had become noticeably less grumpy.

            If you try this, keep the notebook. The device tells you what happened; the notes tell
            you why. And take any score a wearable gives you with a generous pinch of salt. It is
            a rough measure, not a diagnosis, and a conversation with your doctor is worth more
            than a graph.
            """
        ),
    ),
    DemoStory(
        "The Two-Minute Rule, Three Years Later",
        "A tiny productivity trick that turned out to be about attention, not time.",
        "danielokafor",
        "lifehack",
        ("productivity", "habits"),
        96,
        "Small tasks, done now.",
        paragraphs(
            """
            The rule is simple enough to fit on a sticky note: if something takes less than two
            minutes, do it now instead of writing it down. I picked it up from a productivity book
            years ago and, like most advice from productivity books, I expected to abandon it
            within a fortnight.

            Three years later it is one of the few habits that survived. Replying to a quick
            message, putting a letter in the recycling, booking the dentist while the reminder is
            still on screen. None of these are impressive. Together they used to form a low hum of
            unfinished business that followed me around all day.

            What I did not expect was that the rule has limits, and that learning them was the
            useful part. Two-minute tasks breed. If you let every small request jump the queue,
            you spend the whole morning being efficient at things that do not matter. Now I apply
            the rule in batches: at the start of the day, after lunch, and before I shut the
            laptop.

            The real benefit, I think, is psychological. A list with forty trivial items on it
            feels heavy, and a heavy list is easy to avoid. A list with six real tasks on it feels
            like a plan. The two-minute rule is less about saving time than about keeping the list
            honest.
            """
        ),
    ),
    DemoStory(
        "A Sunday Reset That Actually Sticks",
        "Forty-five minutes, one kitchen timer and no colour-coded planner.",
        "danielokafor",
        "lifehack",
        ("habits", "home"),
        188,
        "The week starts on Sunday evening.",
        paragraphs(
            """
            Every few months the internet rediscovers the "Sunday reset", usually presented as a
            three-hour ritual involving scented candles, matching containers and a planner with
            more stickers than pages. I have tried versions of that. None of them lasted longer
            than the candles.

            The reset I actually do takes forty-five minutes and starts with a kitchen timer.
            Fifteen minutes of tidying the flat, fast and imperfect. Fifteen minutes in the
            kitchen: check what is in the fridge, decide on three dinners, write a short shopping
            list. Fifteen minutes at the desk: look at the calendar, move anything that clearly
            will not happen, and pick the one task that would make Monday feel lighter.

            The timer matters more than it seems. Without it the tidying expands to fill the
            evening, and the evening starts to feel like a chore I will skip next week. With it,
            the reset has an end, and knowing there is an end is what gets me off the sofa.

            It is not a transformation. The flat is never spotless and I still forget things. But
            Monday morning no longer begins with finding out what I forgot on Friday, and after two
            years that alone has made it worth the forty-five minutes.
            """
        ),
    ),
    DemoStory(
        "Questions to Ask Before Starting a New Medication",
        "A short list I wish someone had handed me years ago.",
        "ameliawilson",
        "lifehack",
        ("health", "medication"),
        255,
        "Write the questions down before the appointment.",
        paragraphs(
            """
            Appointments are short, and it is easy to walk out with a prescription and no idea what
            to expect. After years of writing about treatments, and a few of taking them, I keep a
            short list of questions on my phone. None of them are clever. They are simply the ones
            I tend to forget when I am sitting in the chair.

            First: how will we know if it is working, and when? Some medications act within days,
            others take weeks, and knowing the timeline saves a lot of worry. Second: what are the
            common side effects, and which ones mean I should call you straight away? Those are two
            very different lists, and it helps to hear them separately.

            Third: does it interact with anything else I take, including supplements, alcohol and
            over-the-counter painkillers? Pharmacists are wonderful at this question, so ask them
            too. Fourth: what happens if I miss a dose, and what happens if I want to stop? A few
            medications need to be tapered gently rather than stopped all at once.

            Finally: what are the alternatives, including doing nothing for now? A good clinician
            will not mind the question. It is not a challenge to their judgement; it is how you
            become a partner in the decision rather than a passenger.

            None of this replaces medical advice, and I am not a doctor. It is just a way of making
            sure that the advice you get is advice you understood.
            """
        ),
    ),
    DemoStory(
        "How I Cut My Grocery Bill Without Eating Worse",
        "Fewer trips, a list I actually follow, and a freezer that earns its electricity.",
        "tomasferreira",
        "lifehack",
        ("money", "cooking"),
        327,
        "One list, one trip, one week.",
        paragraphs(
            """
            When prices climbed last year, my first instinct was to buy cheaper versions of
            everything. It worked for about a month, until I realised I was eating more toast than
            any adult should. So I tried something different: keep the food, change the habits
            around it.

            The biggest change was going to the shop once a week instead of most evenings. Every
            extra trip cost me more than the thing I went in for. A bag of lemons became lemons, a
            bar of chocolate and some very optimistic cheese. One planned trip with a written list
            cut our spending by roughly a fifth on its own.

            The second change was the freezer. I used to treat it as a place where leftovers went
            to be forgotten. Now half a batch of soup goes in labelled and dated, bread gets sliced
            before freezing, and overripe bananas wait there for the weekend. Food we had already
            paid for stopped ending up in the bin.

            The last habit is the least glamorous: I check unit prices. The big bag is not always
            cheaper, and the special offer is sometimes a trap. It takes a few seconds per item,
            and the supermarket is not going to do it for you.
            """
        ),
    ),
    # --- Fiction ----------------------------------------------------------------------------
    DemoStory(
        "The Lighthouse Keeper's Daughter",
        "Every night for thirty years, somebody had to keep the light burning.",
        "jonahreyes",
        "fiction",
        ("fiction", "short-story"),
        12,
        "The light on Carrick Point.",
        paragraphs(
            """
            My father kept the light on Carrick Point for thirty-one years, and for the last nine
            of them I kept it with him, though the Lighthouse Board never knew my name. On the
            forms he was the keeper and I was nothing at all, which suited us both. He liked the
            quiet and I liked the stairs: one hundred and twelve of them, each worn in the middle
            like the bottom of an old saucepan.

            The light was automated in the spring I turned twenty-six. Two men in a van arrived
            with a box of electronics the size of a suitcase and spent an afternoon bolting it to
            the wall of the lamp room. When they left, one of them shook my father's hand and said
            that he could rest now. My father said thank you, and did not sleep at all that night.

            I found him at two in the morning sitting on the top step, watching the new lamp turn.
            It kept better time than he ever had. It did not need the wick trimmed or the lens
            polished or the log written up in his careful, slanting hand. "It's a good machine," he
            said, and he said it the way people talk about a neighbour they do not like.

            We stayed another year, because nobody told us to leave. He still climbed the stairs
            every evening at dusk and stood beside the lamp as it came on by itself. Sometimes he
            wrote in the log anyway: wind south-westerly, sea moderate, light lit. I never told him
            that no one would read it.

            When we finally packed up, the log books went into three cardboard boxes in the back of
            the car. They are in my hallway now. On bad nights I take one down and read a page at
            random, and there he is, the weather and the hour and the same three words, as if the
            light could not have been lit without someone writing it down.

            Maybe it could not. Maybe that is what keeping a light means.
            """
        ),
    ),
    DemoStory(
        "Last Bus to Marlow Street",
        "A night route, a driver, and one passenger who never gets off.",
        "jonahreyes",
        "fiction",
        ("fiction", "short-story"),
        67,
        "The 11:40, running late.",
        paragraphs(
            """
            Deborah had driven the night route for six years and knew most of her passengers by
            their coats. The green parka got on at the hospital and off at the petrol station. The
            camel coat with the torn pocket read paperbacks and always said goodnight. And the grey
            raincoat got on at the depot, sat in the third seat on the left, and never got off at
            all.

            The first time, she had assumed he had fallen asleep. At the end of the line she walked
            down the aisle to wake him and found the seat empty, the window fogged, a single ticket
            on the floor. She told herself he had slipped out at the last stop while she was
            checking the mirrors. It was late. People do strange things late.

            By the fourth time she had stopped telling herself anything. She simply waited for him
            at the depot, nodded when he stepped on, and took the route a little more gently than
            usual, as if he were carrying something that might spill. He never spoke. He always
            paid.

            On the night before the route was cut, she stopped at Marlow Street, where there had
            not been a stop for twenty years, and opened the doors. The grey raincoat stood up,
            walked to the front and paused beside her. He smelled of rain and old wool. "Thank
            you," he said, in a voice that sounded unused. Then he stepped down into the dark, and
            the doors folded shut behind him.

            She drove the rest of the route with the radio off. The ticket she found afterwards on
            the third seat on the left was dated 1987, and she has it still, in the pocket of her
            own coat.
            """
        ),
    ),
    DemoStory(
        "What the River Kept",
        "Two brothers, one flood, and a box of photographs that should not have survived.",
        "jonahreyes",
        "fiction",
        ("fiction", "family"),
        141,
        "After the water went down.",
        paragraphs(
            """
            The water came up in the night, the way the old men at the pub had always said it
            would, and by morning the ground floor of our mother's house was a brown lake with a
            sofa floating in it. My brother Sam stood in the doorway in borrowed wellingtons and
            said nothing for so long that I thought he might have stopped breathing.

            We had not spoken properly in four years. There had been an argument about money that
            was really about our father, and then a silence that was really about everything. It
            took a flood to get us into the same room, and even then we worked at opposite ends of
            it, carrying ruined things out into the yard without looking at each other.

            It was Sam who found the box: a biscuit tin, wedged on top of the kitchen cupboards
            where no one had been able to reach for years. Inside, dry as paper can be, were the
            photographs we thought had been thrown away after the funeral. Our father at twenty,
            thin and grinning. The two of us in matching jumpers. A beach I did not remember
            visiting.

            We sat on the stairs above the waterline and went through them one by one. Sam laughed
            at the jumpers. I cried at the beach, though I could not have said why. Somewhere near
            the bottom of the tin he handed me a photograph without a word, and I understood that
            it was an apology, and that I was allowed to accept it without having to say so.

            The house took eight months to dry out. The tin sits on my bookshelf now. Sam visits on
            Sundays and we do not talk about the argument, which is, I have come to think, its own
            kind of forgiveness.
            """
        ),
    ),
    DemoStory(
        "The Apartment Above the Bakery",
        "The smell of bread at four in the morning, and what its absence means.",
        "jonahreyes",
        "fiction",
        ("fiction", "flash-fiction"),
        219,
        "Light under the bakery door.",
        paragraphs(
            """
            Every morning at four, the smell of bread came up through the floorboards and woke Ines
            before her alarm did. She had moved in for the rent, which was low, and stayed for the
            smell, which was better than any alarm clock she had ever owned.

            The baker was a tall, silent man named Aurelio who nodded at her on the stairs and
            once, in her first week, left a warm roll wrapped in paper outside her door. There was
            no note. She ate it standing at the window and decided that she would live in this
            building for the rest of her life.

            In March, the smell stopped. No bread, no radio murmuring below, no light under the
            bakery door. A sign went up in the window that said closed for family reasons, and
            Ines found that she could not sleep past four anyway. She lay awake listening to
            nothing.

            He came back in May, thinner, with a girl of about nine who sat on a flour sack and did
            her homework while he worked. The first morning the smell returned, Ines went
            downstairs in her dressing gown and bought a loaf she did not need. The girl looked up
            and said, "You're the one upstairs. He told me about you. He says you like the rolls."
            Ines said that she did, very much.
            """
        ),
    ),
    DemoStory(
        "The Cartographer's Apology",
        "For every map that showed a road where there was only a river.",
        "eleanorhart",
        "fiction",
        ("flash-fiction",),
        301,
        "Corrections in red ink.",
        paragraphs(
            """
            I am writing to apologise for the road. You will know the one: it leaves the village
            heading north, crosses the valley in a confident black line and arrives at the market
            town in exactly the time my map suggested. It does not exist. It never did. There is a
            river there, rather a wide one.

            In my defence, I drew it from a description, and the man who described it was very
            sure. He traced it on the table with his finger and said a road runs there, and his
            finger did not hesitate at all. I have since learned that the surest men are often the
            ones who have never walked the way themselves.

            I understand that several of you tried to follow it. I understand there were boats
            involved, and one mule, and a wedding party that arrived two days late and rather wet.
            I am told the couple remain married, which I choose to take as a small consolation.

            The new edition shows the river. It also shows, in a dotted line, the path along its
            bank that the mule eventually found, and I have named it after him. It seemed the least
            I could do. Please accept this corrected copy with my compliments, and walk carefully.
            """
        ),
    ),
    DemoStory(
        "Saudade, Tuesday",
        "A very short story about a phone call that arrives ten years too late.",
        "tomasferreira",
        "fiction",
        ("fiction", "short-story"),
        395,
        "A Tuesday afternoon in Porto.",
        paragraphs(
            """
            The call came on a Tuesday, at the exact time of day when nothing important ever
            happens. Marta was peeling potatoes. The number was from Porto, which meant nothing,
            because she had not lived in Porto for ten years and no one there had her number any
            more.

            "It's Rui," said the voice, and then, as if that might not be enough, "from the café on
            Rua das Flores. I kept the table by the window." She remembered the table before she
            remembered him: the wobble in its leg, the sugar bowl with the chipped lid, the way the
            afternoon light came in sideways and turned the coffee gold.

            He said he was selling the café. He said he was clearing out the back room and had
            found a scarf she left there one winter, blue with a thin yellow stripe, and he did not
            want to throw it away without asking. She laughed, because it was ridiculous, and then
            stopped laughing, because she could see the scarf perfectly.

            "Keep it," she said, and then, "no, send it," and then neither of them said anything
            for a while. There is a Portuguese word for that kind of silence. She did not say it,
            and neither did he. The parcel arrived nine days later, smelling faintly of coffee, and
            she wore the scarf all that winter.
            """
        ),
    ),
    # --- Travel -----------------------------------------------------------------------------
    DemoStory(
        "Slow Trains Through Kerala",
        "Twelve hours, three trains and the best cup of tea I have ever been handed through a "
        "window.",
        "priyanair",
        "travel",
        ("travel", "india", "trains"),
        7,
        "Backwaters from the train window.",
        paragraphs(
            """
            You can fly from one end of Kerala to the other in under an hour. I took the train
            instead, partly out of stubbornness and partly because a friend in Kochi told me that
            anyone who flies has not really been to Kerala at all. She was exaggerating, but not by
            much.

            The first train left Thiruvananthapuram just after six in the morning. By seven the
            carriage was full: schoolchildren in pressed uniforms, a man with a crate of bananas
            balanced on his knees, and two grandmothers who discussed my marital status in
            Malayalam for most of an hour, with great thoroughness and, I suspect, some
            disappointment.

            The landscape does not so much pass as unfold. Coconut palms, then paddy fields so
            green they look lit from below, then the backwaters, glittering and brown, with
            houseboats sliding past at the speed of a walk. At every station vendors call out along
            the platform, and at one of them a boy handed a cup of sweet, milky tea through the
            window and took my coins before the train had quite stopped.

            I changed trains twice and was late both times, which nobody minded. I arrived in Kochi
            creased, sunburnt on one arm and happier than I had been in weeks. If you have a spare
            day, take the slow train. It is not the fastest way to see Kerala, but it may be the
            only way to see it properly.

            A practical note: book a sleeper or chair car seat in advance on the railway's own
            website, carry small change for the tea, and sit on the left-hand side heading north if
            you want the best of the backwaters.
            """
        ),
    ),
    DemoStory(
        "Lisbon in the Off-Season",
        "Rain on the tiles, empty trams, and a city that is not performing for anyone.",
        "priyanair",
        "travel",
        ("travel", "europe", "portugal"),
        84,
        "Wet tiles in Alfama.",
        paragraphs(
            """
            Everyone told me to visit Lisbon in spring. I went in late November, because that was
            when I could go, and I have not stopped recommending it since. The crowds were gone,
            the hotels were half the price, and the famous tram 28 was for once full of people
            going somewhere rather than photographing each other.

            It rained most afternoons, which in Lisbon is not a disaster but a change of scene. The
            tiled façades turn glossy and the steep streets of Alfama become small rivers, so you
            duck into a tasca and eat grilled sardines in a room that smells of wood smoke and wet
            coats. Nobody rushes you. The owner's cat inspects your shoes.

            The light, when it comes back, is extraordinary. After a shower the sky over the Tagus
            goes a pale, rinsed gold, and from the viewpoint at Santa Luzia the whole city looks
            freshly painted. I spent an embarrassing amount of time on that terrace, and I regret
            none of it.

            Bring a proper umbrella and shoes with grip, because the pavements are polished stone
            and treacherous when wet. Book the popular fado houses a day ahead. And do not be
            surprised if, by the end of the week, you find yourself quietly hoping for rain.
            """
        ),
    ),
    DemoStory(
        "Walking the Camino Portugués with Bad Knees",
        "Two hundred and forty kilometres, one knee brace and a great deal of kindness from "
        "strangers.",
        "tomasferreira",
        "travel",
        ("travel", "walking", "portugal"),
        160,
        "Yellow arrows, all the way north.",
        paragraphs(
            """
            My knees are forty-eight years old and behave as though they are considerably older.
            When I told my physiotherapist that I wanted to walk from Porto to Santiago de
            Compostela, she looked at me for a long moment and then said, "Slowly, then." It turned
            out to be the best advice anyone gave me.

            I planned fifteen stages instead of the usual ten or eleven. On paper it looked almost
            lazy: fifteen, eighteen, twenty kilometres a day, with a rest day in Pontevedra. In
            practice it meant I could stop when my knees asked me to, rather than when the
            guidebook said I should have arrived.

            The Camino is marked with yellow arrows painted on walls, lamp posts, stones and, on one
            occasion, a sleeping dog. You stop reading maps after the second day. You start reading
            people instead: who is limping, who needs water, who wants to talk, and who has come
            precisely so that they can walk for a week without talking to anyone.

            The kindness was constant and slightly overwhelming. A farmer near Ponte de Lima handed
            me a bag of oranges over a fence. A Dutch couple carried my pack up the long climb to
            Labruja when my knee locked halfway. An elderly woman in a village whose name I never
            learned stamped my pilgrim passport and then made me sit down for soup.

            I learned to walk downhill sideways, to stretch every hour whether I felt like it or
            not, and to tape my knee before it hurt rather than after. Walking poles, which I had
            thought were for serious mountaineers, were the best thing I packed. On the descents
            they take a surprising amount of the load off each knee.

            Arriving in Santiago was strange. The cathedral square was full of people in various
            states of joy and exhaustion, and I sat on the stones with my back against a wall and
            felt, mostly, that I did not want to stop. I understand now why so many pilgrims walk
            on to the coast at Finisterre.

            If your body is not what it was, do not let that keep you off the Camino. Walk shorter
            days, rest properly, and let people help you. The arrows will wait.
            """
        ),
    ),
    DemoStory(
        "What Packing Light Really Means",
        "It is less about the bag than about deciding what kind of traveller you want to be.",
        "priyanair",
        "travel",
        ("travel", "packing"),
        233,
        "Everything for three weeks.",
        paragraphs(
            """
            I used to travel with a suitcase large enough to hold a small adult. Now I travel for
            three weeks with a bag that fits under an aeroplane seat, and people ask me how. The
            honest answer is that packing light is not a technique. It is a series of small
            decisions about what you are willing to do without.

            I decided I was willing to wear the same trousers twice in a week, to wash socks in a
            hotel sink, and to own exactly one pair of shoes that could survive both a museum and a
            muddy path. I decided I did not need a different outfit for every photograph. Once
            those decisions were made, the bag more or less packed itself.

            What I will not give up is a good book, a scarf that doubles as a blanket, and a small
            bag of medicines, because finding a pharmacy at midnight in a town where you do not
            speak the language is nobody's idea of an adventure.

            The reward is not really the saved luggage fee. It is walking out of the airport while
            everyone else is still waiting at the carousel, climbing onto a crowded bus without
            apologising to anyone, and feeling, for a few weeks, that everything you need fits on
            your back.
            """
        ),
    ),
    DemoStory(
        "Island Hopping in the Azores on a Budget",
        "Ferries, hot springs and the cheapest good lunch in the Atlantic.",
        "tomasferreira",
        "travel",
        ("travel", "islands", "budget"),
        290,
        "Between São Jorge and Pico.",
        paragraphs(
            """
            The Azores have a reputation as an expensive, faraway place for people with sailing
            boats. It is half true. They are far away, but with careful timing and a willingness to
            take the ferry, nine islands in the middle of the Atlantic can be surprisingly kind to
            a modest budget.

            In summer, ferries link the central islands, Faial, Pico, São Jorge, Terceira and
            Graciosa, and the crossings are short enough to be pleasant rather than punishing.
            Between São Jorge and Pico I watched dolphins escort the boat for ten minutes while the
            man beside me finished his crossword without once looking up.

            On São Miguel, the largest island, the hot springs at Poça da Dona Beija cost a few
            euros and are best visited at night, when the steam rises into the dark and the water
            feels like a warm bath in the middle of a forest. Bring a swimsuit you do not love; the
            iron in the water stains everything orange.

            Eat where the fishermen eat. The set lunch in most small restaurants, with soup, grilled
            fish or stewed beef, bread, wine and coffee, costs less than a sandwich at an airport
            and is a great deal more memorable. Fly between islands only where no ferry runs, and
            keep a day spare in case the weather has other plans.
            """
        ),
    ),
    DemoStory(
        "The Market at Dawn: Hanoi Before Breakfast",
        "The city wakes early, and the best way to meet it is on foot and hungry.",
        "priyanair",
        "travel",
        ("travel", "vietnam", "food"),
        366,
        "Under Long Biên bridge, five in the morning.",
        paragraphs(
            """
            At five in the morning Hanoi is already awake. Women in conical hats carry baskets of
            herbs along the edge of Hoàn Kiếm lake, groups of older people do tai chi to crackling
            loudspeakers, and the motorbikes, which will later fill every street like a river, are
            only a trickle.

            I went to the wholesale market under Long Biên bridge with a friend who grew up nearby.
            It was chaos of the most organised kind: sacks of mangoes, tubs of live fish, towers of
            flowers wrapped in newspaper, and everyone calling out prices in a rhythm that sounded
            almost like singing.

            Breakfast was a bowl of bún chả at a stall with six plastic stools and no name. Grilled
            pork, cold rice noodles, a heap of herbs and a bowl of sweet and sour dipping broth. My
            friend showed me how to mix it all together, then watched me eat with the particular
            satisfaction of someone proving a point.

            By eight the heat had arrived, the traffic was in full flood and the market was packing
            up. I went back to my hotel and slept for two hours, and I would do it all again
            tomorrow.
            """
        ),
    ),
    # --- Technology -------------------------------------------------------------------------
    DemoStory(
        "Why I Still Write Down Every Bug I Fix",
        "A plain text file, ten years of entries, and the most useful thing I have ever built.",
        "marcuschen",
        "technology",
        ("software", "debugging"),
        3,
        "The bug journal, entry 1,204.",
        paragraphs(
            """
            Ten years ago a senior engineer I admired told me that she kept a file of every bug she
            had ever fixed. Not a ticket system, not a wiki: a plain text file, one entry per bug,
            with the date, the symptom, the cause and the fix. I thought it sounded like homework.
            I started one anyway, mostly to impress her.

            The file now has more than twelve hundred entries. Most are short and some are
            embarrassing. "Timezone again." "Forgot the migration." "It was DNS, of course it was
            DNS." But every few weeks I search it and find that I have met this exact problem
            before, in another job, in another language, and that past me wrote down the answer.

            The more surprising benefit is that writing the entry forces me to understand the bug.
            It is easy to make a test pass by moving code around until it goes green. It is much
            harder to write one honest sentence explaining why it was broken. When I cannot write
            that sentence, I know I am not done.

            If you start one, keep it boring. Plain text, searchable, in a place you will still
            have in five years. Write the symptom in the words you would have searched for. Future
            you is tired, in a hurry and slightly annoyed, and will be very grateful.
            """
        ),
    ),
    DemoStory(
        "The Quiet Joy of Boring Technology",
        "Why the most reliable systems I have worked on were the least exciting.",
        "marcuschen",
        "technology",
        ("software", "engineering"),
        55,
        "Nothing happened today, which was the point.",
        paragraphs(
            """
            The best system I ever worked on ran on a single relational database, a web framework
            nobody wrote blog posts about any more, and a cron job. It served a few million
            requests a day, paged someone perhaps twice a year, and was maintained by four people
            who all went home at six.

            The worst system I worked on had eleven services, three databases with overlapping
            responsibilities, a message queue, a second message queue added to work around the
            first, and an architecture diagram that was out of date before the meeting to review
            it had ended. It was very interesting. That was the problem.

            Boring technology is not old technology. It is technology whose failure modes are well
            understood, whose documentation answers the question you actually have, and whose error
            messages have already been pasted into a search engine by ten thousand people before
            you. When it breaks at two in the morning, someone has seen this before.

            I still like new tools. I try them on side projects, read their source, and
            occasionally bring one to work when it solves a problem the boring tools cannot. But I
            have learned to treat every new component as a cost to be justified rather than a
            feature to be celebrated, and the systems I build are calmer for it.
            """
        ),
    ),
    DemoStory(
        "Teaching My Parents to Spot a Phishing Email",
        "Three rules that fit on a fridge magnet, and why they worked better than any lecture.",
        "danielokafor",
        "technology",
        ("security", "family"),
        112,
        "The rules, on the fridge.",
        paragraphs(
            """
            My father is seventy-four and enthusiastic about email. This combination has led to
            several phone calls that began with "I think I might have done something silly". After
            the third one, involving a parcel that did not exist and a delivery fee that very
            nearly did, I decided we needed a plan.

            Lectures did not work. I tried explaining sender domains and link previews and watched
            his eyes glaze over. What worked was three short rules, printed on a card and stuck to
            the fridge. One: if it is urgent, it is suspicious. Two: never click a link to log in;
            open the website yourself. Three: when in doubt, ring me, and I promise not to sigh.

            The third rule mattered most. He had not been calling because he did not want to bother
            me or look foolish. Once it was clear that a call was always welcome, he started
            ringing about anything odd, and most of the time it was nothing. A few times it was
            not, and those calls were worth every one of the others.

            We also turned on two-step verification for his email and bank, and set up a password
            manager that he now defends with the zeal of a convert. But the card is still on the
            fridge, slightly faded, and I think it has done more good than all the software put
            together.
            """
        ),
    ),
    DemoStory(
        "What a Ten-Year-Old Laptop Taught Me About Software Bloat",
        "The hardware was fine. The websites were the problem.",
        "marcuschen",
        "technology",
        ("hardware", "software", "performance"),
        176,
        "Still booting, ten years on.",
        paragraphs(
            """
            When my laptop died last spring I dug my old one out of a drawer as a stopgap. It was
            ten years old, had four gigabytes of memory and a battery that lasted roughly the
            length of a television advert. I expected it to be unusable. Mostly it was fine, which
            was the surprising part.

            The text editor opened instantly. The terminal was as fast as ever. Compiling my side
            project took a little longer, but not painfully so. Music played, documents printed,
            spreadsheets behaved. For nearly everything I do, a decade of hardware improvement
            turned out to be optional.

            The web was another story. A news site took eleven seconds to become usable and then
            stuttered as adverts loaded below the fold. A chat application used more memory than
            the operating system. A simple form for booking a doctor's appointment downloaded four
            megabytes of scripts before it would let me choose a date.

            None of this is news, but feeling it is different from knowing it. I now test my own
            work on that old laptop before every release. It is the cheapest performance tool I
            own, and it has made me considerably less patient with the phrase "computers are fast
            enough now".
            """
        ),
    ),
    DemoStory(
        "Backups Are a Feeling Until You Test Them",
        "What I learned the day I actually tried to restore one.",
        "marcuschen",
        "technology",
        ("backups", "security"),
        243,
        "Restore, not backup, is the point.",
        paragraphs(
            """
            For years I had backups. I knew I had backups because a small icon told me so every
            night, green and reassuring. Then my disk failed, I went to restore my files, and I
            discovered that the backup had been quietly skipping my photographs for eighteen months
            because of a permissions change I had long forgotten.

            I got most of the photographs back from an old external drive and a great deal of
            luck. Since then I have followed a simple rule: a backup you have not restored from is
            not a backup, it is a hope. Once a month I pick a random folder, restore it somewhere
            else and open a few of the files.

            It takes ten minutes. In two years it has caught three problems: an expired card on a
            cloud storage account, an exclusion rule that was far too broad, and a backup drive
            that was slowly failing without complaint. Each would have been invisible until the day
            I needed it.

            The usual advice still stands: three copies, on two different kinds of storage, one of
            them somewhere else. But the most important part is the part nobody enjoys, which is
            checking. Put it in your calendar. Your future self will not thank you, because your
            future self will never know what did not happen.
            """
        ),
    ),
    DemoStory(
        "Notifications Off: A Month Without Pings",
        "I turned off every notification on my phone except calls. Here is what happened.",
        "danielokafor",
        "technology",
        ("productivity", "phones", "attention"),
        310,
        "A quiet home screen.",
        paragraphs(
            """
            On the first of the month I went into my phone's settings and turned off every
            notification except phone calls and messages from five people. No news alerts, no
            social media, no email badge, no reminders from the app that wanted me to drink more
            water. Then I waited to see what I would miss.

            The first week was uncomfortable in a way I had not expected. I kept picking up the
            phone to check, the way you pat your pocket for keys you already know are there. I
            counted once and reached forty-one times before lunch. Without the pings to justify
            it, the habit was suddenly visible, and slightly embarrassing.

            By the second week the checking slowed down. I read email twice a day instead of
            constantly and found, to nobody's surprise but mine, that nothing in it had needed an
            instant answer. I finished two books. I noticed how often I had been answering messages
            in the middle of conversations with the people actually in front of me.

            I did miss some things: a parcel delivery, a change to a train time, a friend's
            birthday that an app would have reminded me about. All fixable, all minor. At the end
            of the month I turned a handful of notifications back on, deliberately, one by one. The
            rest can stay off.
            """
        ),
    ),
    # --- Food -------------------------------------------------------------------------------
    DemoStory(
        "My Grandmother's Sunday Ragù",
        "Four hours, one pot, and a recipe that was never written down until now.",
        "sofiabianchi",
        "food",
        ("recipes", "italian", "family"),
        20,
        "The pot that has made a thousand Sundays.",
        paragraphs(
            """
            My grandmother never measured anything. When I asked her for the recipe she said "a
            bit of this, a bit of that, and patience", which was accurate and entirely useless. So
            one Sunday I stood beside her with a notebook and a set of scales and weighed
            everything before she could throw it in the pot.

            It starts with a soffritto: one onion, one carrot and one stick of celery, chopped very
            finely and softened slowly in olive oil and a knob of butter until the kitchen smells
            sweet. She was strict about slowly. Twenty minutes on the lowest flame, stirring when
            she remembered to. If it browned, she said, you had ruined it and should start again.

            Then the meat, a mixture of minced beef and pork, about half a kilo of each for a
            family-sized pot, broken up with a wooden spoon and cooked until it loses its pink. A
            glass of red wine goes in next and bubbles away. Then two tins of good tomatoes,
            crushed by hand, a spoonful of tomato paste and a bay leaf.

            The patience comes now. The pot goes on the smallest burner with the lid half on, and
            it cooks for three to four hours. Every so often you stir it and add a splash of water
            or milk if it looks dry. My grandmother used milk. She said it made the sauce kinder,
            and she was right.

            We ate it with tagliatelle, never spaghetti, and a great deal of Parmesan. What was
            left went into a lasagne on Monday, and what was left of that was, in her words, for
            whoever got to the kitchen first on Tuesday.

            She is ninety-one now and no longer cooks. I make the ragù for her every few weeks, and
            she tells me it is nearly right. I have decided that nearly right is the highest praise
            available, and I am content with it.
            """
        ),
    ),
    DemoStory(
        "The Case for Cooking Beans from Dry",
        "Cheaper, tastier and much less effort than you have been told.",
        "sofiabianchi",
        "food",
        ("recipes", "beans", "budget"),
        72,
        "Borlotti, soaking overnight.",
        paragraphs(
            """
            Tinned beans are a fine thing and I always keep a few in the cupboard. But if you have
            never cooked beans from dry, you are missing one of the cheapest pleasures in the
            kitchen. A bag costs about the same as two tins and makes four or five times as much,
            and the beans taste of something other than the tin.

            The effort is mostly waiting. Soak them overnight in plenty of cold water. In the
            morning drain them, cover with fresh water by a few centimetres, add a bay leaf, a
            halved onion and a generous glug of olive oil, and simmer gently until they are creamy
            all the way through. Depending on the bean, that is anything from forty minutes to two
            hours.

            Salt them. The old advice that salt makes beans tough has been tested and found
            wanting, and salting the cooking water gives you beans that are seasoned all the way
            through. Add it about halfway. And keep the cooking liquid, which is as good as stock
            for soup.

            I cook a big pot on Sunday and use it all week: on toast with garlic and greens, in a
            quick pasta e fagioli, mashed with lemon and herbs as a dip, or simply warmed in their
            broth with a trickle of good oil and black pepper. It is the least glamorous habit in
            my kitchen and the one I would give up last.
            """
        ),
    ),
    DemoStory(
        "Pastéis de Nata, Attempt Number Eleven",
        "On custard tarts, burnt fingers and the pleasure of getting something almost right.",
        "tomasferreira",
        "food",
        ("baking", "portugal"),
        134,
        "Blistered tops, at last.",
        paragraphs(
            """
            My first pastéis de nata were a disaster. The pastry was pale, the custard was
            scrambled, and the famous blistered tops were nowhere to be seen. My wife ate two out of
            loyalty and then suggested, kindly, that the bakery down the road existed for a reason.

            Attempts two to seven were variations on a theme. I learned that the pastry needs to be
            rolled into a tight log and sliced into coins, then pressed into the tins with wet
            thumbs until it climbs the sides. I learned that the custard needs a cooked syrup, not
            just sugar. I learned that my oven, which claimed to reach two hundred and fifty
            degrees, was lying.

            The breakthrough came from a pizza stone and a thermometer. With the stone preheated
            for an hour at the oven's highest setting, the tarts finally got the blast of heat from
            below that crisps the pastry, and the fierce heat above that scorches the custard into
            those dark, caramelised spots.

            Attempt eleven was good. Not Belém good, but good enough that my wife ate three without
            being asked, and my neighbour knocked on the door to find out what smelled of cinnamon.
            I will keep trying. There are worse ways to spend a Saturday than failing at something
            delicious.
            """
        ),
    ),
    DemoStory(
        "A Pantry Built for Weeknights",
        "Twenty ingredients that turn “there is nothing to eat” into dinner in twenty minutes.",
        "sofiabianchi",
        "food",
        ("cooking", "pantry"),
        205,
        "The shelf that saves Wednesday.",
        paragraphs(
            """
            Most weeknight cooking problems are not cooking problems. They are shopping problems.
            If the cupboard holds the right things, dinner is twenty minutes away even on a night
            when you cannot face the supermarket; if it does not, you will be eating cereal
            standing up.

            My list is not long. Pasta and rice. Tinned tomatoes, chickpeas and cannellini beans.
            Anchovies, capers and olives, for salt and depth. Good olive oil, a sharp vinegar, soy
            sauce. Garlic, onions and lemons, which keep for weeks. A block of Parmesan. Eggs.
            Frozen peas and spinach. Dried chilli, cumin and smoked paprika.

            From that you can make puttanesca, a chickpea and spinach stew, fried rice with peas
            and egg, a frittata, pasta with garlic, chilli and lemon, or beans on toast that would
            make a café blush. None of it is fancy. All of it is better than the takeaway you were
            about to order.

            The trick is to replace things before they run out. I keep a note on the fridge, and
            when I open the last tin of something it goes on the list. It sounds dull. It is the
            difference between cooking on Wednesday and not.
            """
        ),
    ),
    DemoStory(
        "Learning to Love Bitter Greens",
        "Radicchio, chicory and the slow education of a sweet tooth.",
        "sofiabianchi",
        "food",
        ("vegetables", "recipes"),
        272,
        "Radicchio, split and grilled.",
        paragraphs(
            """
            As a child I picked the radicchio out of every salad my mother made and hid it under
            the rim of the plate, where she always found it. As an adult I buy it by the armful.
            Somewhere in between, my tongue changed its mind, and I have been trying to work out
            how.

            Part of it is age; a taste for bitterness often grows as we get older. Part of it is
            cooking. Raw radicchio can be harsh, but split into quarters, brushed with oil and
            grilled until the edges char, it turns soft and almost sweet, and a drizzle of balsamic
            and a few shavings of pecorino do the rest.

            Bitter greens love fat, salt and acid. Chicory braised in butter with a squeeze of
            orange. Dandelion leaves wilted with garlic and anchovy. Escarole in a brothy soup with
            white beans. Each of these takes something you might wince at and turns it into
            something you want a second helping of.

            If you are not convinced yet, start gently: a few leaves of radicchio in an otherwise
            ordinary salad, with a dressing a little sweeter than usual. Your tongue will learn.
            Mine did, and I am told I was a very stubborn child.
            """
        ),
    ),
    DemoStory(
        "Bread, Failure and Patience",
        "A year of sourdough, and the loaf that finally worked.",
        "sofiabianchi",
        "food",
        ("baking", "bread"),
        348,
        "Loaf number forty-three.",
        paragraphs(
            """
            I started baking sourdough the way many people did, in a kitchen I could not leave,
            with a jar of flour and water that I named and talked to like a pet. The first loaf was
            a dense, sour frisbee. So were the second, the third and the fourth.

            What I did not understand at first is that sourdough is not a recipe. It is a
            relationship between you, your starter, your flour and the temperature of your kitchen,
            and the recipe is only a rough description of how that relationship went for someone
            else. My kitchen was cold. Everything took twice as long as the instructions said.

            The turning point was ignoring the clock and watching the dough. When it had grown by
            about half, felt airy and jiggled when I shook the bowl, it was ready to shape, whether
            that took four hours or nine. Loaf forty-three came out of the oven with an open crumb
            and a crust that crackled as it cooled, and I sat on the kitchen floor and listened to
            it.

            I still make bad loaves. Flour changes, seasons change, I get distracted. But I have
            stopped treating them as failures. A dense loaf makes excellent toast, and every one of
            them taught me something the good ones could not.
            """
        ),
    ),
    # --- Poets ------------------------------------------------------------------------------
    DemoStory(
        "Five Poems for the End of Winter",
        "Short poems written in the last cold weeks of the year.",
        "eleanorhart",
        "poets",
        ("poetry",),
        29,
        "Thaw.",
        stanzas(
            """
            I. Thaw
            The gutters speak again at night,
            a small, continuous argument
            between the roof and the ground
            about who the water belongs to.

            II. Allotment
            Someone has turned the soil already.
            It lies in dark, careful rows
            like a letter written in advance
            to a season that has not replied.

            III. Bus stop, 7 a.m.
            We stand apart, hands in pockets,
            breath going up like small prayers
            nobody is obliged to answer.
            The bus comes. That is enough.

            IV. Coat
            I hang the heavy coat on the door
            and it keeps my shape for a day,
            shoulders hunched against a wind
            that has already left town.

            V. Light
            At six o'clock it is still light.
            Nobody mentions it. We all
            walk home a little slower,
            as if not to frighten it away.
            """
        ),
    ),
    DemoStory(
        "On Reading Poems Out Loud",
        "A poem on the page is a score. You only hear it when you play it.",
        "eleanorhart",
        "poets",
        ("poetry", "reading", "essay"),
        150,
        "Read it again, slower.",
        paragraphs(
            """
            Most of the poems I love, I first misunderstood. I read them silently and quickly, the
            way I read emails, and they seemed either obvious or impossible. It was only when a
            teacher made us read aloud, one by one, stumbling over the line breaks, that I began to
            hear what they were doing.

            A poem on the page is something like a musical score. The line breaks are rests, the
            commas are breaths, and the repeated sounds are a rhythm section you cannot hear until
            you give them a voice. Read silently, a line like "the gutters speak again at night"
            is information. Said aloud, it has the patter of rain in it.

            You do not need an audience. I read poems to my kitchen, to my dog, and once to a very
            patient man on a train who had asked what I was reading and regretted it within
            seconds. What matters is that you slow down enough for the words to take up room in
            your mouth.

            Try it with a poem you think you already know. Read it twice, aloud, the second time
            slower than feels natural. Notice where you run out of breath and where the poet has
            given you somewhere to take one. You may find it is a different poem from the one you
            remember.
            """
        ),
    ),
    DemoStory(
        "Small Hours",
        "A sequence of night poems.",
        "eleanorhart",
        "poets",
        ("poetry", "night"),
        410,
        "The kitchen light at three in the morning.",
        stanzas(
            """
            Three a.m.
            The fridge hums its one note.
            The clock is pretending to be patient.
            I am awake for no reason
            that would survive being said aloud.

            Neighbour
            Across the street, one window lit.
            I have never met whoever sits there,
            but we have kept each other company
            through a whole winter of these hours.

            Kettle
            I make tea I will not drink
            for the small, steadying ceremony:
            the click, the rising roar,
            the steam that says something is happening.

            Five a.m.
            Blackbirds first, then a car,
            then the grey coming in under the curtain
            like a cat that knows it is allowed.
            I sleep, finally, as the day begins.
            """
        ),
    ),
    # --- Not public: one draft and one awaiting review, to try the lifecycle on ---------------
    DemoStory(
        "The Night Shift at the Observatory",
        "Work in progress.",
        "jonahreyes",
        "fiction",
        ("fiction",),
        2,
        "The dome, opening.",
        paragraphs(
            """
            Nobody chose the night shift at the observatory. It was handed out like a cold, to
            whoever had most recently annoyed the director, and this year that was Hana.

            The telescope did most of the work. Her job was to sit in a warm room full of screens,
            drink bad coffee and make sure that nothing unexpected happened. For three weeks
            nothing did.

            On the twenty-second night, something unexpected happened.
            """
        ),
        status="draft",
    ),
    DemoStory(
        "Self-Hosting a Calendar, Honestly Assessed",
        "Six months of running my own calendar server: what worked, what broke, and whether I "
        "would do it again.",
        "marcuschen",
        "technology",
        ("self-hosting", "software"),
        4,
        "The server in the cupboard under the stairs.",
        paragraphs(
            """
            Last spring I moved my family's calendars off a big cloud provider and onto a small
            server in the cupboard under the stairs. I had reasons, some principled and some, I
            admit, because it sounded like fun. Six months on, here is an honest account.

            The good: it works. Events sync between phones and laptops within seconds, shared
            calendars behave, and invitations from colleagues arrive as they should. The server
            uses less electricity than the router beside it, and nobody is mining our dentist
            appointments for advertising.

            The bad: I am now the help desk. When my daughter's phone stopped syncing after an
            update, I spent an evening reading logs instead of watching a film. Certificates must
            be renewed, backups must be tested, and the one week I was away was, naturally, the
            week the disk filled up.

            Would I do it again? Yes, but I would not recommend it to anyone who does not enjoy
            this kind of tinkering for its own sake. A paid provider that respects your privacy
            gets you most of the benefit for a few pounds a month, and none of the evenings.
            """
        ),
        status="submitted",
    ),
)


# Top Stories on the demo home page: staff picks, each with the reason readers are shown.
PICKS: tuple[tuple[str, str], ...] = (
    (
        "The Lighthouse Keeper's Daughter",
        "A quiet story about duty that stays with you long after the light goes out.",
    ),
    (
        "What I Learned from Tracking My Sleep for Ninety Days",
        "Honest about what the data could not tell her, which is why it is useful.",
    ),
    (
        "Slow Trains Through Kerala",
        "Travel writing that takes its time, and makes you want to take yours.",
    ),
)
