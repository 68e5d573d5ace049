"""What /privacy says, in English and Simplified Chinese."""

from __future__ import annotations

from bot import i18n

i18n.register(
    {
        "help.privacy": {
            "en": "Your data: see, export or delete it, opt out (in private)",
            "zh": "你的数据：查看、导出、删除或退出统计（私聊使用）",
        },
        "privacy.private_only": {
            "en": "/privacy works in a private chat with me, so nobody else sees your data. Open a private chat with me and send /privacy there.",
            "zh": "/privacy 需要在和我的私聊中使用，这样别人看不到你的数据。请私聊我并发送 /privacy。",
        },
        "privacy.overview": {
            "en": "🔒 What I store about you\n"
            "• Your platform id, name and username; your language, timezone and reminder settings.\n"
            "• When you wrote, reacted, joined or pressed a button: ids, counts and times.\n"
            "• Your answers to events (Going / Maybe / Can't go), check-ins, ratings and rating comments.\n"
            "• The text of your messages only where the community keeps it, and then for {days} days at most.\n"
            "What others see: the group sees event counts, the names reminders and polls mention, and the votes in a platform's own polls; organizers also see rating summaries and comments without names. Nobody can read your messages' text through me.\n"
            "\n{communities}\n"
            "Statistics and recommendations: {analytics} · Reminders: {reminders}\n"
            "\nWhat you can do (each applies to all your communities here):\n"
            "/privacy export — a file (JSON) with everything I store about you\n"
            "/privacy delete — delete all of it (I ask first)\n"
            "/privacy forget — delete it and never collect anything about you again\n"
            "/privacy analytics off|on — leave out of statistics and recommendations, or come back\n"
            "/privacy reminders off|on — stop or restart reminders\n"
            "More in PRIVACY.md of the gatherbot project.",
            "zh": "🔒 我保存了你的哪些数据\n"
            "• 你的平台 ID、名字和用户名；你的语言、时区和提醒设置。\n"
            "• 你何时发言、回应、入群或点击按钮：只有 ID、次数和时间。\n"
            "• 你对活动的回复（参加 / 可能 / 不去）、签到、评分和评分评论。\n"
            "• 只有在社群开启保留文字时才保存你的消息文字，最多保存 {days} 天。\n"
            "别人能看到什么：群里能看到活动人数、提醒和投票里提到的名字，以及平台自带投票中的选择；组织者还能看到不署名的评分汇总和评论。没有人能通过我读到你的消息文字。\n"
            "\n{communities}\n"
            "统计与推荐：{analytics} · 提醒：{reminders}\n"
            "\n你可以（对你在这里的所有社群都生效）：\n"
            "/privacy export — 导出我保存的关于你的全部数据（JSON 文件）\n"
            "/privacy delete — 删除全部数据（会先确认）\n"
            "/privacy forget — 删除数据，并且以后不再收集任何关于你的信息\n"
            "/privacy analytics off|on — 退出或重新加入统计与推荐\n"
            "/privacy reminders off|on — 关闭或重新开启提醒\n"
            "详见 gatherbot 项目中的 PRIVACY.md。",
        },
        "privacy.community_kept": {
            "en": "• {title}: message text is kept for {days} days",
            "zh": "• {title}：消息文字保留 {days} 天",
        },
        "privacy.community_not_kept": {
            "en": "• {title}: message text is not kept",
            "zh": "• {title}：不保留消息文字",
        },
        "privacy.no_communities": {
            "en": "• I don't know you from any group yet, so I store nothing about you.",
            "zh": "• 我还没有在任何群里见过你，所以没有保存关于你的任何数据。",
        },
        "privacy.state_on": {"en": "on", "zh": "开启"},
        "privacy.state_off": {"en": "off", "zh": "关闭"},
        "privacy.nothing": {
            "en": "I store nothing about you: I don't know you from any group.",
            "zh": "我没有保存任何关于你的数据：我还没有在任何群里见过你。",
        },
        "privacy.export_caption": {
            "en": "📦 Everything I store about you, as of {when} (UTC).",
            "zh": "📦 截至 {when}（UTC）我保存的关于你的全部数据。",
        },
        "privacy.export_too_big": {
            "en": "📦 Your export is too large to send as text here, and this chat cannot receive files. Ask for it on a platform that can (e.g. Telegram or Discord).",
            "zh": "📦 你的数据太多，无法在这里以文字发送，而这个聊天不能接收文件。请在能接收文件的平台（如 Telegram 或 Discord）上导出。",
        },
        "privacy.delete_ask": {
            "en": "⚠️ This deletes everything I store about you in all your communities here ({n}): your profile and settings, your activity, your answers, check-ins, ratings and comments, and any kept message text. Past events keep their counts, without your name; your answers to upcoming events are withdrawn. This cannot be undone.\nPress the button or send /privacy delete confirm.",
            "zh": "⚠️ 这会删除我在你所在的全部社群（{n} 个）中保存的关于你的全部数据：资料和设置、活动记录、回复、签到、评分和评论，以及保留的消息文字。已结束的活动保留人数，但不再有你的名字；你对即将举行的活动的回复会被撤回。此操作无法撤销。\n请点击按钮或发送 /privacy delete confirm。",
        },
        "privacy.forget_ask": {
            "en": "⚠️ This deletes everything I store about you in all your communities here ({n}), as /privacy delete does, and from then on I collect nothing about you here: your messages, commands and button presses are ignored. Only a keyed hash of your id is kept, so that I can recognise you without storing your id. /privacy collect on undoes it.\nPress the button or send /privacy forget confirm.",
            "zh": "⚠️ 这会像 /privacy delete 一样删除我在你所在的全部社群（{n} 个）中保存的关于你的全部数据，并且以后不再收集任何关于你的信息：你的消息、命令和按钮点击都会被忽略。我只保留你 ID 的加密哈希，用来认出你而不知道你是谁。发送 /privacy collect on 可以撤销。\n请点击按钮或发送 /privacy forget confirm。",
        },
        "privacy.delete_button": {"en": "🗑 Delete my data", "zh": "🗑 删除我的数据"},
        "privacy.forget_button": {"en": "🚫 Delete and forget me", "zh": "🚫 删除并忘记我"},
        "privacy.deleted": {
            "en": "🗑 Done. Deleted records about you: {rows} (communities: {n}). Answers, check-ins and ratings of past events kept in the counts without your name: {kept}.",
            "zh": "🗑 已完成。删除了关于你的记录 {rows} 条（社群 {n} 个）。已结束活动中不再带有你名字、仍计入人数的回复、签到和评分：{kept} 条。",
        },
        "privacy.forgotten": {
            "en": "🚫 From now on I collect nothing about you. To undo it, send me /privacy collect on.",
            "zh": "🚫 从现在起我不再收集任何关于你的信息。如需撤销，请私聊我发送 /privacy collect on。",
        },
        "privacy.blocked": {
            "en": "🚫 You asked me to collect nothing about you, so I store nothing and ignore your messages, commands and button presses. Send /privacy collect on to undo it.",
            "zh": "🚫 你要求我不收集任何关于你的信息，所以我什么也不保存，并忽略你的消息、命令和按钮点击。发送 /privacy collect on 可以撤销。",
        },
        "privacy.collect_on": {
            "en": "✅ I collect again: say something in your community's group and I'll know you there.",
            "zh": "✅ 已恢复收集：在社群群聊里说句话，我就会重新认识你。",
        },
        "privacy.collect_already": {
            "en": "You are not on the do-not-collect list: nothing to undo.",
            "zh": "你不在“不收集”名单上，无需撤销。",
        },
        "privacy.analytics_off": {
            "en": "📊 Done: you are left out of statistics, models and recommendations in all your communities here. You still get the reminders you asked for. /privacy analytics on brings you back.",
            "zh": "📊 已完成：你在这里所有社群的统计、模型和推荐中都被排除。你仍会收到自己设置的提醒。发送 /privacy analytics on 可以恢复。",
        },
        "privacy.analytics_on": {
            "en": "📊 Done: you are counted in statistics and get recommendations again.",
            "zh": "📊 已完成：你重新计入统计，并会收到推荐。",
        },
        "privacy.reminders_off": {
            "en": "🔕 Reminders off in all your communities here. /privacy reminders on turns them back on.",
            "zh": "🔕 已关闭你在这里所有社群的提醒。发送 /privacy reminders on 重新开启。",
        },
        "privacy.reminders_on": {
            "en": "🔔 Reminders on in all your communities here.",
            "zh": "🔔 已开启你在这里所有社群的提醒。",
        },
        "privacy.bad": {
            "en": "I don't know “{word}” here.",
            "zh": "这里没有 “{word}” 这个选项。",
        },
    }
)
