"""The activity formats' texts, in English and Simplified Chinese."""

from __future__ import annotations

from bot import i18n

i18n.register(
    {
        # --- help --------------------------------------------------------------------------------------
        "help.task": {
            "en": "Add or remove a challenge task (organizers)",
            "zh": "添加或删除挑战题目（组织者）",
        },
        "help.tasks": {"en": "The tasks and prizes of a code challenge", "zh": "查看编程挑战的题目和奖品"},
        "help.submit": {"en": "Submit your solution to a challenge task", "zh": "提交挑战题目的解答"},
        "help.score": {
            "en": "Score a challenge participant (organizers)",
            "zh": "给挑战参与者打分（组织者）",
        },
        "help.submissions": {
            "en": "A challenge's solutions, privately (organizers)",
            "zh": "私聊查看挑战的全部解答（组织者）",
        },
        "help.prize": {"en": "Set the prize of a place (organizers)", "zh": "设置名次奖品（组织者）"},
        "help.winners": {
            "en": "Announce a challenge's winners (organizers)",
            "zh": "公布编程挑战的获奖者（组织者）",
        },
        "help.leaderboard": {
            "en": "Top members by points, or a challenge's scores",
            "zh": "积分排行榜，或某个挑战的得分榜",
        },
        "help.points": {"en": "Your points and rank", "zh": "我的积分和排名"},
        "help.ask": {"en": "Ask the speaker a question", "zh": "向主讲人提问"},
        "help.questions": {"en": "The questions of a session", "zh": "查看一场分享的提问"},
        "help.answered": {
            "en": "Mark a question answered (speaker, organizers)",
            "zh": "标记问题已回答（主讲人、组织者）",
        },
        "help.best": {
            "en": "Mark a best question (speaker, organizers)",
            "zh": "标记最佳提问（主讲人、组织者）",
        },
        "help.speaker": {"en": "Name a session's speaker (organizers)", "zh": "指定分享的主讲人（组织者）"},
        "help.writeup": {"en": "Send your write-up of a discussion", "zh": "提交讨论活动的总结"},
        "help.writeups": {
            "en": "Call for write-ups of a discussion (organizers)",
            "zh": "征集讨论活动的总结（组织者）",
        },
        # --- shared ------------------------------------------------------------------------------------
        "fmt.or": {"en": " or ", "zh": "或"},
        "fmt.wrong_kind": {
            "en": "#{id} is a {kind}, not a {wanted}.",
            "zh": "#{id} 是{kind}活动，不是{wanted}。",
        },
        "fmt.cancelled": {"en": "#{id} is cancelled.", "zh": "#{id} 已取消。"},
        "fmt.no_member": {"en": "Name the member, like @bob.", "zh": "请写明成员，例如 @bob。"},
        "fmt.place": {"en": "#{place}", "zh": "第{place}名"},
        # --- code challenges ---------------------------------------------------------------------------
        "challenge.prizes": {"en": "Prizes: {prizes}", "zh": "奖品：{prizes}"},
        "challenge.task_line": {
            "en": "Task {n}: {title} — {description}",
            "zh": "题目 {n}：{title} — {description}",
        },
        "challenge.task_line_short": {"en": "Task {n}: {title}", "zh": "题目 {n}：{title}"},
        "challenge.task_action": {
            "en": "Unknown action “{word}”: use add or remove.",
            "zh": "未知的操作 “{word}”：请用 add（添加）或 remove（删除）。",
        },
        "challenge.task_what": {"en": "Say add or remove.", "zh": "请写明 add（添加）或 remove（删除）。"},
        "challenge.over": {
            "en": "#{id} has ended: its tasks can no longer change.",
            "zh": "#{id} 已结束，题目不能再修改。",
        },
        "challenge.task_used": {
            "en": "Task {n} of #{id} already has {count} submission(s); it stays.",
            "zh": "#{id} 的题目 {n} 已有 {count} 份提交，不能删除。",
        },
        "challenge.task_removed": {"en": "🗑 Removed task {n} of #{id}.", "zh": "🗑 已删除 #{id} 的题目 {n}。"},
        "challenge.task_no_title": {
            "en": "The task needs a title (before the |).",
            "zh": "题目需要一个标题（写在 | 前面）。",
        },
        "challenge.task_too_long": {
            "en": "Too long: a title has at most {title} characters, a description {description}.",
            "zh": "太长了：标题最多 {title} 个字符，描述最多 {description} 个字符。",
        },
        "challenge.task_added": {
            "en": "✅ Task {n} of #{id}: {title}.",
            "zh": "✅ 已为 #{id} 添加题目 {n}：{title}。",
        },
        "challenge.task_new": {"en": "➕ A new task in #{id}: {task}", "zh": "➕ #{id} 新增题目：{task}"},
        "challenge.no_such_task": {
            "en": "#{id} has no task “{n}”; its tasks are: {numbers}.",
            "zh": "#{id} 没有题目 “{n}”；现有题目：{numbers}。",
        },
        "challenge.no_tasks": {
            "en": "#{id} has no tasks yet. Organizers add them with /task add {id} title | description",
            "zh": "#{id} 还没有题目。组织者可以用 /task add {id} 标题 | 描述 添加。",
        },
        "challenge.tasks_header": {
            "en": "🧩 Tasks of #{id} {title} ({when}):",
            "zh": "🧩 #{id} {title} 的题目（{when}）：",
        },
        "challenge.how_to_submit": {
            "en": "Submit with /submit {id} TASK link-or-text (privately to me if you like).",
            "zh": "提交方式：/submit {id} 题号 链接或文字（也可以私聊发给我）。",
        },
        "challenge.submit_what": {
            "en": "Give the event number, the task number and your solution.",
            "zh": "请写明活动编号、题号和你的解答。",
        },
        "challenge.not_yet": {
            "en": "Submissions to #{id} open when it starts ({when}).",
            "zh": "#{id} 开始后（{when}）才能提交。",
        },
        "challenge.closed": {
            "en": "Submissions to #{id} closed at {when}: this one was not saved.",
            "zh": "#{id} 的提交已于 {when} 截止，本次提交没有保存。",
        },
        "challenge.too_long": {
            "en": "Too long (at most {max} characters).",
            "zh": "太长了（最多 {max} 个字符）。",
        },
        "challenge.resubmitted": {
            "en": "✅ Updated your solution to task {n} of #{id}.",
            "zh": "✅ 已更新你对 #{id} 题目 {n} 的解答。",
        },
        "challenge.submitted": {
            "en": "✅ Got your solution to task {n} ({title}) of #{id}. Good luck!",
            "zh": "✅ 已收到你对 #{id} 题目 {n}（{title}）的解答，祝你好运！",
        },
        "challenge.final": {
            "en": "The results of #{id} are already announced; they are final.",
            "zh": "#{id} 的结果已经公布，不能再修改。",
        },
        "challenge.score_what": {
            "en": "Give the event number, the member and the points.",
            "zh": "请写明活动编号、成员和分数。",
        },
        "challenge.bad_score": {
            "en": "“{text}” is not a score: use a whole number from 0 to {max}.",
            "zh": "“{text}” 不是有效的分数：请用 0 到 {max} 之间的整数。",
        },
        "challenge.no_submission": {
            "en": "{name} has submitted nothing to #{id}.",
            "zh": "{name} 没有向 #{id} 提交过解答。",
        },
        "challenge.scored": {
            "en": "✅ {name}: {points} points in #{id}.",
            "zh": "✅ {name} 在 #{id} 中得 {points} 分。",
        },
        "challenge.prize_what": {
            "en": "Give the event number, the place and the prize.",
            "zh": "请写明活动编号、名次和奖品。",
        },
        "challenge.bad_place": {
            "en": "“{text}” is not a place here: use a number from 1 to {max}.",
            "zh": "“{text}” 不是有效的名次：请用 1 到 {max} 之间的数字。",
        },
        "challenge.prize_set": {
            "en": "🎁 #{id}, place {place} wins: {prize}.",
            "zh": "🎁 #{id} 第{place}名的奖品：{prize}。",
        },
        "challenge.still_running": {
            "en": "#{id} runs until {when}; announce the winners after it ends.",
            "zh": "#{id} 要到 {when} 才结束，请在结束后公布获奖者。",
        },
        "challenge.twice": {"en": "{name} is named twice.", "zh": "{name} 被写了两次。"},
        "challenge.too_many": {"en": "At most {max} winners.", "zh": "最多 {max} 位获奖者。"},
        "challenge.nobody_scored": {
            "en": "Nobody in #{id} has a score above 0 yet: score with /score {id} @member points, or name the "
            "winners in order: /winners {id} @first @second",
            "zh": "#{id} 还没有人得分：请用 /score {id} @成员 分数 打分，或按名次写明获奖者：/winners {id} @第一名 @第二名",
        },
        "challenge.announced": {
            "en": "✅ The results of #{id} are announced in the group.",
            "zh": "✅ #{id} 的结果已在群里公布。",
        },
        "challenge.submissions": {
            "en": "📥 Solutions to #{id} {title} ({n}):",
            "zh": "📥 #{id} {title} 的解答（{n} 份）：",
        },
        "challenge.submissions_sent": {
            "en": "I sent you the solutions to #{id} privately.",
            "zh": "我已经私聊把 #{id} 的解答发给你了。",
        },
        "challenge.submissions_private": {
            "en": "Solutions stay out of the group: send me /submissions {id} in a private chat.",
            "zh": "解答不在群里公开：请私聊我发送 /submissions {id}。",
        },
        "challenge.board_empty": {
            "en": "Nobody has submitted to #{id} yet.",
            "zh": "还没有人向 #{id} 提交解答。",
        },
        "challenge.board_live": {
            "en": "📊 Leaderboard of #{id} {title} (live):",
            "zh": "📊 #{id} {title} 得分榜（实时）：",
        },
        "challenge.board_final": {
            "en": "📊 Final results of #{id} {title}:",
            "zh": "📊 #{id} {title} 最终结果：",
        },
        "challenge.board_line": {
            "en": "{rank}. {name} — {points} points · tasks {n}/{total}",
            "zh": "{rank}. {name} — {points} 分 · 完成 {n}/{total} 题",
        },
        "challenge.board_unscored": {
            "en": "– {name} — not scored yet · tasks {n}/{total}",
            "zh": "– {name} — 尚未打分 · 完成 {n}/{total} 题",
        },
        "challenge.started": {
            "en": "🏁 The code challenge #{id} {title} has started! Until {end}:",
            "zh": "🏁 编程挑战 #{id} {title} 开始了！截止 {end}：",
        },
        "challenge.tasks_later": {"en": "(The tasks will be posted here.)", "zh": "（题目稍后在这里公布。）"},
        "challenge.closed_none": {
            "en": "⏱ #{id} {title} is over. Nobody submitted a solution.",
            "zh": "⏱ #{id} {title} 已结束，没有人提交解答。",
        },
        "challenge.closed_post": {
            "en": "⏱ Submissions to #{id} {title} are closed: {n} from {people} member(s). "
            "Scores so far: /leaderboard {id}",
            "zh": "⏱ #{id} {title} 的提交已截止：共 {people} 人提交 {n} 份。当前得分：/leaderboard {id}",
        },
        "challenge.results": {"en": "🏆 Results of #{id} {title}:", "zh": "🏆 #{id} {title} 的结果："},
        "challenge.points": {"en": "{points} points", "zh": "{points} 分"},
        "challenge.thanks": {
            "en": "Thanks to all {n} participant(s)!",
            "zh": "感谢全部 {n} 位参与者！",
        },
        # --- Q&A -----------------------------------------------------------------------------------------
        "qa.not_yet": {
            "en": "The Q&A of #{id} opens when it starts ({when}).",
            "zh": "#{id} 开始后（{when}）才能提问。",
        },
        "qa.over": {"en": "The Q&A of #{id} closed at {when}.", "zh": "#{id} 的问答已于 {when} 结束。"},
        "qa.none_on": {
            "en": "No sharing session or lecture is on right now: questions go to the speaker while one is on.",
            "zh": "现在没有正在进行的技术分享或讲座：只能在活动进行时向主讲人提问。",
        },
        "qa.which": {
            "en": "Several sessions are on ({ids}): say which one.",
            "zh": "现在有多场活动在进行（{ids}），请指明是哪一场。",
        },
        "qa.empty": {"en": "The question is empty.", "zh": "问题内容为空。"},
        "qa.noted": {
            "en": "❓ Noted as Q{n} of #{id} (you have asked {asked} in this session).",
            "zh": "❓ 已记为 #{id} 的 Q{n}（你在本场共提问 {asked} 个）。",
        },
        "qa.no_questions": {"en": "No questions for #{id} yet.", "zh": "#{id} 还没有人提问。"},
        "qa.list_header": {
            "en": "❓ Questions for #{id} {title}: {n}, answered {answered}.",
            "zh": "❓ #{id} {title} 的提问：共 {n} 个，已回答 {answered} 个。",
        },
        "qa.list_line": {"en": "Q{n} {name} asks: {text}", "zh": "Q{n} {name} 问：{text}"},
        "qa.no_text": {"en": "(no text)", "zh": "（无文字）"},
        "qa.by": {"en": " by {name}", "zh": "（{name} 回答）"},
        "qa.more": {"en": "…and {n} more.", "zh": "……还有 {n} 个。"},
        "qa.only_organizers": {
            "en": "Only an organizer can mark the questions of #{id} (no speaker is set: /speaker {id} @name).",
            "zh": "只有组织者可以标记 #{id} 的问题（尚未指定主讲人：/speaker {id} @成员）。",
        },
        "qa.only_speaker": {
            "en": "Only the speaker of #{id} ({name}) or an organizer can mark its questions. Nothing was changed.",
            "zh": "只有 #{id} 的主讲人（{name}）或组织者可以标记问题。没有做任何更改。",
        },
        "qa.no_such": {"en": "#{id} has no question “{n}”.", "zh": "#{id} 没有问题 “{n}”。"},
        "qa.mark_what": {
            "en": "Give the event number and the question number.",
            "zh": "请写明活动编号和问题编号。",
        },
        "qa.own_answer": {
            "en": "{name} asked Q{n}: credit someone else with the answer.",
            "zh": "Q{n} 是 {name} 提的问题，回答者请写别人。",
        },
        "qa.answered": {"en": "✅ Q{n} of #{id} is answered.", "zh": "✅ #{id} 的 Q{n} 已回答。"},
        "qa.answered_by": {
            "en": "✅ Q{n} of #{id} is answered, by {name}.",
            "zh": "✅ #{id} 的 Q{n} 已由 {name} 回答。",
        },
        "qa.best": {
            "en": "⭐ Q{n} of #{id} ({name}) is a best question.",
            "zh": "⭐ #{id} 的 Q{n}（{name}）被评为最佳提问。",
        },
        "qa.speaker_what": {"en": "Give the event number and the speaker.", "zh": "请写明活动编号和主讲人。"},
        "qa.speaker_set": {
            "en": "🎤 {name} is the speaker of #{id}: they can mark questions with /answered and /best.",
            "zh": "🎤 {name} 是 #{id} 的主讲人，可以用 /answered 和 /best 标记问题。",
        },
        "qa.open": {
            "en": "🎤 #{id} {title} ({kind}) has started{speaker}. Questions until {end}: reply to this message "
            "or send /ask your question. The most active member of the Q&A is announced at the end.",
            "zh": "🎤 #{id} {title}（{kind}）开始了{speaker}。{end} 之前都可以提问：回复这条消息，"
            "或发送 /ask 你的问题。结束时公布问答中最活跃的成员。",
        },
        "qa.speaker": {"en": " with {name}", "zh": "，主讲人 {name}"},
        "qa.summary": {
            "en": "🎤 The Q&A of #{id} {title} is over: {n} question(s) from {people} member(s), {answered} answered.",
            "zh": "🎤 #{id} {title} 的问答结束了：{people} 人共提问 {n} 个，已回答 {answered} 个。",
        },
        "qa.leader": {
            "en": "{name} (asked {asked}, answered {answers})",
            "zh": "{name}（提问 {asked} 个，回答 {answers} 个）",
        },
        "qa.most_active": {"en": "🏆 Most active: {who}", "zh": "🏆 最活跃：{who}"},
        "qa.wins": {"en": " — wins: {prize}", "zh": " — 奖品：{prize}"},
        "qa.best_list": {"en": "⭐ Best questions: {items}", "zh": "⭐ 最佳提问：{items}"},
        # --- write-ups -----------------------------------------------------------------------------------
        "writeup.not_yet": {
            "en": "Write-ups of #{id} open when it ends ({when}).",
            "zh": "#{id} 结束后（{when}）才能提交总结。",
        },
        "writeup.closed": {
            "en": "Write-ups of #{id} closed at {when}: this one was not saved.",
            "zh": "#{id} 的总结已于 {when} 截止提交，本次没有保存。",
        },
        "writeup.no_link": {"en": "Add the link to your write-up.", "zh": "请附上你的总结链接。"},
        "writeup.bad_link": {
            "en": "“{text}” is not a link (it starts with http:// or https://).",
            "zh": "“{text}” 不是链接（应以 http:// 或 https:// 开头）。",
        },
        "writeup.saved": {
            "en": "📝 Thanks! Your write-up of #{id} is in. The vote for the best one opens {when}.",
            "zh": "📝 谢谢！已收到你对 #{id} 的总结。最佳总结投票将于 {when} 开始。",
        },
        "writeup.updated": {
            "en": "📝 Updated the link of your write-up of #{id}. The vote opens {when}.",
            "zh": "📝 已更新你对 #{id} 的总结链接。投票将于 {when} 开始。",
        },
        "writeup.vote_started": {
            "en": "Write-ups of #{id} are closed and its vote has started.",
            "zh": "#{id} 的总结已截止，投票已经开始。",
        },
        "writeup.bad_deadline": {
            "en": "I can't read “{text}” as a time.",
            "zh": "无法把 “{text}” 识别为时间。",
        },
        "writeup.deadline_early": {
            "en": "The deadline must be after {when}.",
            "zh": "截止时间必须晚于 {when}。",
        },
        "writeup.called": {
            "en": "✅ Asked the group for write-ups of #{id} until {when}.",
            "zh": "✅ 已在群里征集 #{id} 的总结，截止 {when}。",
        },
        "writeup.call": {
            "en": "📝 Write up #{id} {title}! Send the link with /writeup {id} link until {when}; then everyone votes "
            "for the best one.",
            "zh": "📝 写写 #{id} {title} 的总结吧！{when} 之前用 /writeup {id} 链接 提交，之后大家投票选出最佳总结。",
        },
        "writeup.call_later": {
            "en": "📝 After #{id} {title} ends ({end}), write it up! Send the link with /writeup {id} link until "
            "{when}; then everyone votes for the best one.",
            "zh": "📝 #{id} {title} 结束（{end}）后写写总结吧！{when} 之前用 /writeup {id} 链接 提交，"
            "之后大家投票选出最佳总结。",
        },
        "writeup.prize": {"en": "\n🎁 The best write-up wins: {prize}", "zh": "\n🎁 最佳总结奖品：{prize}"},
        "wvote.post": {
            "en": "🗳 Vote for the best write-up of #{id} {title}: one vote each, not for your own, until {when}.",
            "zh": "🗳 为 #{id} {title} 的最佳总结投票：每人一票，不能投给自己，截止 {when}。",
        },
        "wvote.question": {"en": "Best write-up of #{id} {title}?", "zh": "#{id} {title} 的最佳总结是？"},
        "wvote.closed": {"en": "This vote is closed.", "zh": "该投票已结束。"},
        "wvote.own": {
            "en": "You can't vote for your own write-up: vote for someone else's.",
            "zh": "不能投给自己的总结，请投给别人。",
        },
        "wvote.twice": {
            "en": "You already voted (for {name}'s write-up): one vote each.",
            "zh": "你已经投过票了（投给了 {name} 的总结），每人只能投一票。",
        },
        "wvote.thanks": {
            "en": "🗳 Thanks! You voted for {name}'s write-up.",
            "zh": "🗳 谢谢！你投给了 {name} 的总结。",
        },
        "wvote.single": {
            "en": "📝 One write-up of #{id} {title} came in, by {name}: {link}. Thank you!",
            "zh": "📝 #{id} {title} 收到一篇总结，作者 {name}：{link}。谢谢！",
        },
        "wvote.no_votes": {
            "en": "🗳 The vote on the write-ups of #{id} {title} is closed: nobody voted, so there is no winner.",
            "zh": "🗳 #{id} {title} 的总结投票已结束：没有人投票，本次没有获胜者。",
        },
        "wvote.won": {
            "en": "🏆 The best write-up of #{id} {title}, with {n} of {total} vote(s):",
            "zh": "🏆 #{id} {title} 的最佳总结（{total} 票中得 {n} 票）：",
        },
        "wvote.tied": {
            "en": "🏆 A tie for the best write-up of #{id} {title}, {n} of {total} vote(s) each:",
            "zh": "🏆 #{id} {title} 的最佳总结并列（{total} 票中各得 {n} 票）：",
        },
        "wvote.winner": {"en": "{name}'s write-up: {link}", "zh": "{name} 的总结：{link}"},
        "wvote.closed_suffix": {"en": "\n(the vote is closed)", "zh": "\n（投票已结束）"},
        # --- points --------------------------------------------------------------------------------------
        "points.none": {
            "en": "🏅 You have no points yet. Check in at events, submit to challenges, ask questions in sessions "
            "and write up discussions to earn them. /leaderboard shows the top members.",
            "zh": "🏅 你还没有积分。活动签到、参加编程挑战、在分享中提问、提交讨论总结都能获得积分。"
            "发送 /leaderboard 查看排行榜。",
        },
        "points.total": {
            "en": "🏅 {name}, you have {points} points: #{rank} of {n} on the leaderboard.",
            "zh": "🏅 {name}，你有 {points} 积分，在排行榜 {n} 人中排第 {rank}。",
        },
        "points.total_opted_out": {
            "en": "🏅 {name}, you have {points} points. You are not on the leaderboard because you turned "
            "statistics off (/privacy analytics on, privately, turns them back on).",
            "zh": "🏅 {name}，你有 {points} 积分。你关闭了统计，所以不在排行榜上（私聊发送 /privacy analytics on 可重新开启）。",
        },
        "points.total_unlisted": {
            "en": "🏅 {name}, you have {points} points (you are not on the leaderboard).",
            "zh": "🏅 {name}，你有 {points} 积分（你不在排行榜上）。",
        },
        "points.line": {
            "en": "• {what}: {n} × {each} = {points}",
            "zh": "• {what}：{n} 次 × {each} 分 = {points} 分",
        },
        "points.kind_attend": {"en": "check-ins", "zh": "签到"},
        "points.kind_streak": {"en": "check-in streaks", "zh": "连续签到"},
        "points.kind_submit": {"en": "challenge submissions", "zh": "挑战提交"},
        "points.kind_win": {"en": "challenge wins", "zh": "挑战第一名"},
        "points.kind_runner_up": {"en": "challenge prize places", "zh": "挑战其他获奖名次"},
        "points.kind_ask": {"en": "questions asked", "zh": "提问"},
        "points.kind_answer": {"en": "questions answered", "zh": "回答问题"},
        "points.kind_best_question": {"en": "best questions", "zh": "最佳提问"},
        "points.kind_writeup": {"en": "write-ups", "zh": "总结"},
        "points.kind_writeup_win": {"en": "best write-ups", "zh": "最佳总结"},
        "points.sent_private": {
            "en": "I sent you your points privately.",
            "zh": "我已经私聊把你的积分发给你了。",
        },
        "points.board_empty": {"en": "Nobody has points yet.", "zh": "还没有人获得积分。"},
        "points.board_header": {"en": "🏅 Top members by points:", "zh": "🏅 积分排行榜："},
        "points.board_line": {"en": "{rank}. {name} — {points}", "zh": "{rank}. {name} — {points} 分"},
        "points.board_footer": {
            "en": "Your own points: /points. Members who turned statistics off are not listed.",
            "zh": "查看自己的积分：/points。关闭了统计的成员不在榜上。",
        },
    }
)
