// A stock discord.js 14 bot. The only changes from running it against Discord are the REST base
// (`rest.api`, RC_API e.g. http://127.0.0.1:8080/api); the gateway URL comes from GET /gateway/bot.
// It reports what it sees as one JSON object per line on stdout, for server/src/bots/libraries.slow.test.ts.
import { ActivityType, Client, EmbedBuilder, Events, GatewayIntentBits, Partials } from 'discord.js';

const report = (event, data = {}) => process.stdout.write(`${JSON.stringify({ event, ...data })}\n`);

const client = new Client({
  intents: [
    GatewayIntentBits.Guilds,
    GatewayIntentBits.GuildMessages,
    GatewayIntentBits.GuildMembers,
    GatewayIntentBits.GuildMessageReactions,
    GatewayIntentBits.MessageContent,
  ],
  partials: [Partials.Message, Partials.Reaction],
  presence: { activities: [{ name: 'dice', type: ActivityType.Playing }] },
  rest: { api: process.env.RC_API },
});

client.once(Events.ClientReady, (c) => {
  report('ready', {
    user: c.user.id,
    application_id: c.application.id,
    guilds: c.guilds.cache.map((g) => ({ id: g.id, name: g.name, channels: g.channels.cache.filter((ch) => ch.isTextBased()).size })),
  });
});

client.on(Events.ShardResume, () => report('resumed'));
client.on(Events.GuildMemberAdd, (m) => report('member_join', { guild: m.guild.id, user: m.id, name: m.user.username }));
client.on(Events.MessageReactionAdd, (reaction, user, details) =>
  report('reaction_add', {
    message: reaction.message.id,
    user: user.id,
    emoji: reaction.emoji.name,
    burst: details?.burst ?? false,
    type: details?.type ?? 0,
  }),
);

client.on(Events.MessageCreate, async (message) => {
  if (message.author.bot) return;
  try {
    if (message.content === '!ping') {
      const embed = new EmbedBuilder()
        .setTitle('Pong')
        .setDescription('Round trip through Retrocast')
        .setColor(0x5865f2)
        .setURL('https://example.com/pong')
        .addFields({ name: 'latency', value: `${client.ws.ping} ms`, inline: true })
        .setFooter({ text: 'discord.js' });
      const reply = await message.reply({ content: 'pong', embeds: [embed] });
      await reply.react('👍');
      const edited = await reply.edit({ content: 'pong (edited)' });
      const history = await message.channel.messages.fetch({ limit: 20 });
      const fetched = await message.channel.messages.fetch({ message: reply.id, force: true });
      report('ping_done', {
        reply: reply.id,
        reference: reply.reference?.messageId,
        embed_title: fetched.embeds[0]?.title,
        embed_fields: fetched.embeds[0]?.fields.length,
        edited: edited.content,
        reactions: fetched.reactions.cache.map((r) => r.emoji.name),
        history: [...history.keys()],
      });
      await reply.delete();
      report('deleted', { reply: reply.id });
    } else if (message.content === '!status') {
      client.user.setPresence({ status: 'idle', activities: [{ name: 'lofi', type: ActivityType.Listening }] });
      report('status_done');
    } else if (message.content === '!quit') {
      report('quitting');
      await client.destroy();
      report('exited');
      process.exit(0);
    }
  } catch (err) {
    report('error', { message: String(err?.stack ?? err) });
  }
});

client.on(Events.Error, (err) => report('error', { message: String(err?.stack ?? err) }));
await client.login(process.env.RC_TOKEN);
