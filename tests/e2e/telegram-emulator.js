#!/usr/bin/env node
// Starts telegram-test-api 4.2.1 on 127.0.0.1, patched so python-telegram-bot 22 can talk to it.
//
//   node tests/e2e/telegram-emulator.js [--port N] [--bot-username NAME] [--admins ID,ID]
//
// Prints one JSON line {"port": N} on stdout when it is listening, then serves until SIGTERM,
// SIGINT or its stdin closes (so it never outlives the test that started it).
//
// As shipped the emulator breaks PTB v22's strict parsing; the patches below fix, before the
// server is built:
//   - getMe lacks is_bot (PTB's User needs it);
//   - messages the bot sends come back with dates in milliseconds, no `from`, and every chat typed
//     "private";
//   - callback queries lack chat_instance (PTB drops the update);
//   - editMessageText and answerCallbackQuery return a null result;
// and adds what gatherbot calls that the emulator lacks: setMyCommands, getChatAdministrators (the
// ids given with --admins are the group's administrators), plus GET /_calls, the list of every
// Bot API call the bot made (method and body), for the test to assert on.
'use strict';

const path = require('path');

const LIB = path.join(__dirname, 'node_modules', 'telegram-test-api', 'lib');
const lib = (name) => require(path.join(LIB, name));

function parseArgs(argv) {
  const args = { port: 0, botUsername: 'gatherbot_e2e_bot', admins: [] };
  for (let i = 0; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`missing value for ${key}`);
    if (key === '--port') args.port = Number(value);
    else if (key === '--bot-username') args.botUsername = value;
    else if (key === '--admins') args.admins = value.split(',').filter(Boolean).map(Number);
    else throw new Error(`unknown option ${key}`);
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));
const BOT = { id: 666, is_bot: true, first_name: 'gatherbot', username: args.botUsername };
const calls = [];
const now = () => Math.floor(Date.now() / 1000);

// --- patch route modules before the route tables are built from them --------------------------

const { handle } = lib('routes/bot/utils');

// Record every Bot API call (the logger runs after the body parsers, before the routes).
lib('modules/requestLogger').requestLogger = (req, _res, next) => {
  const match = /^\/bot[^/]+\/([A-Za-z]+)$/.exec(req.path);
  if (match) calls.push({ method: match[1], body: req.body });
  next();
};

lib('routes/bot/getMe').getMe = (app) => {
  handle(app, '/bot:token/getMe', (_req, res) => {
    res.sendResult({
      ok: true,
      result: { ...BOT, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false },
    });
  });
};

function botMessageView(server, stored) {
  const { message } = stored;
  const chatId = Number(message.chat_id);
  return {
    message_id: stored.messageId,
    from: BOT,
    date: Math.floor(stored.time / 1000),
    chat: chatId < 0 ? { id: chatId, type: 'supergroup', title: 'e2e group' } : { id: chatId, type: 'private', first_name: 'member' },
    text: message.text,
    ...(message.reply_markup && 'inline_keyboard' in message.reply_markup ? { reply_markup: message.reply_markup } : {}),
  };
}

lib('routes/bot/editMessageText').editMessageText = (app, server) => {
  handle(app, '/bot:token/editMessageText', (req, res) => {
    server.editMessageText(req.body);
    const stored = server.storage.botMessages.find(
      (u) => String(u.messageId) === String(req.body.message_id) && String(u.message.chat_id) === String(req.body.chat_id),
    );
    if (!stored) {
      res.status(400).json({ ok: false, error_code: 400, description: 'Bad Request: message to edit not found' });
      return;
    }
    res.sendResult({ ok: true, result: { ...botMessageView(server, stored), edit_date: now() } });
  });
};

lib('routes/bot/answerCallbackQuery').answerCallbackQuery = (app) => {
  handle(app, '/bot:token/answerCallbackQuery', (_req, res) => res.sendResult({ ok: true, result: true }));
};

const extraBotRoutes = [
  (app) => handle(app, '/bot:token/setMyCommands', (_req, res) => res.sendResult({ ok: true, result: true })),
  (app) => handle(app, '/bot:token/getChatAdministrators', (_req, res) => {
    const rights = {
      can_be_edited: false, is_anonymous: false, can_manage_chat: true, can_delete_messages: true,
      can_manage_video_chats: true, can_restrict_members: true, can_promote_members: false,
      can_change_info: true, can_invite_users: true, can_post_stories: false, can_edit_stories: false,
      can_delete_stories: false,
    };
    const human = (id) => ({ id, is_bot: false, first_name: `admin${id}` });
    const [owner, ...others] = args.admins;
    const result = [
      ...(owner === undefined ? [] : [{ status: 'creator', user: human(owner), is_anonymous: false }]),
      ...others.map((id) => ({ status: 'administrator', user: human(id), ...rights })),
      { status: 'administrator', user: BOT, ...rights },
    ];
    res.sendResult({ ok: true, result });
  }),
];
const { botRoutes } = lib('routes/bot/index');
botRoutes.splice(botRoutes.length - 1, 0, ...extraBotRoutes); // before the catch-all unknownMethod

lib('routes/client/index').clientRoutes.push((app) => {
  app.get('/_calls', (_req, res) => res.json({ ok: true, result: calls }));
});

// --- patch the server ------------------------------------------------------------------------

const { TelegramServer } = lib('telegramServer');

const addBotMessage = TelegramServer.prototype.addBotMessage;
TelegramServer.prototype.addBotMessage = function patchedAddBotMessage(rawMessage, botToken) {
  addBotMessage.call(this, rawMessage, botToken);
  return botMessageView(this, this.storage.botMessages[this.storage.botMessages.length - 1]);
};

const formatUpdate = TelegramServer.formatUpdate;
TelegramServer.formatUpdate = function patchedFormatUpdate(update) {
  const formatted = formatUpdate.call(this, update);
  if (formatted.callback_query) {
    const query = update.callbackQuery;
    formatted.callback_query.chat_instance = String(query.chat_instance || `ci${query.message.chat.id}`);
  }
  return formatted;
};

async function main() {
  const server = new TelegramServer({ host: '127.0.0.1' });
  server.config.port = args.port; // 0: any free port (normalizeConfig treats 0 as "unset")
  await server.start();
  const { port } = server.server.address();
  server.config.apiURL = `http://127.0.0.1:${port}`;
  process.stdout.write(`${JSON.stringify({ port })}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    const timer = setTimeout(() => process.exit(0), 2000);
    await server.stop();
    clearTimeout(timer);
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
}

main().catch((err) => {
  process.stderr.write(`telegram emulator failed: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
