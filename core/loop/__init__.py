"""'You asked, we did': loop items from shipped ideas to the announcement, thanked givers, the
monthly "What we implemented" update, the public idea board and the measured impact.

A loop item answers one or more ideas; its givers are the deduplicated union of those ideas'
givers (including ideas merged into them, as ``core.ideas.detail.givers`` returns them). Its status only
moves forward — shipped → announced → thanked → measured — and only with the events:

- announced: the announcement post was published (the content plan announces
  ``core.events.post_published``; ``items.on_post_published`` subscribes);
- thanked: every giver is ticked as thanked;
- measured: the impact was recorded (NPS before and after entered, or the conversation counts
  recorded once the after-window is over).

An event that comes early (all givers thanked before the post went out) is kept and counted
when its turn comes. Impact is either NPS before/after, or the number of conversations in the
linked categories in the N whole local days before vs after the shipped day (the shipped day
itself mixes both and is left out), counted in SQL.

The loop builds on the content plan, the idea board and the SLA monitor, never the other way
round, so it is also where the whole chain is read — post → dialog → idea → change → "you asked,
we did". Rooms: ``rules`` (pure), ``queries`` (read models; what is still to announce), ``people`` (a
loop item's givers and who answered the calls for ideas it came from, read together), ``items`` (loop item commands and the status), ``impact``,
``monthly``, ``announce`` (drafting the loop's posts), ``public_board``, ``dialog`` (a post's
dialog, a conversation's place in the chain) and ``chain`` (the timeline of an idea or loop item).
"""
