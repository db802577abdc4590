"""A stock discord.py 2.x bot. The only change from running it against Discord is the base URL
(RC_API, e.g. http://127.0.0.1:8080/api/v10) and the gateway URL (RC_GATEWAY, ws://…/gateway):
discord.py connects to its built-in DEFAULT_GATEWAY instead of asking GET /gateway/bot.

It reports what it sees as one JSON object per line on stdout, for the test that drives it
(server/src/bots/libraries.slow.test.ts)."""
import json
import os
import sys

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

Route.BASE = os.environ["RC_API"]
DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["RC_GATEWAY"])


def report(event, **data):
    print(json.dumps({"event": event, **data}), flush=True)


intents = discord.Intents.default()
intents.message_content = True
intents.members = True
client = discord.Client(intents=intents, activity=discord.Game("dice"))


@client.event
async def on_ready():
    report("ready", user=str(client.user.id), application_id=str(client.application_id),
           guilds=[{"id": str(g.id), "name": g.name, "channels": len(g.text_channels)} for g in client.guilds])


@client.event
async def on_resumed():
    report("resumed")


@client.event
async def on_member_join(member):
    report("member_join", guild=str(member.guild.id), user=str(member.id), name=member.name)


@client.event
async def on_raw_reaction_add(payload):
    report("reaction_add", message=str(payload.message_id), user=str(payload.user_id), emoji=str(payload.emoji),
           burst=payload.burst, type=int(payload.type.value))


@client.event
async def on_message(message):
    if message.author.bot:
        return
    if message.content == "!ping":
        embed = discord.Embed(title="Pong", description="Round trip through Retrocast", color=0x5865F2,
                              url="https://example.com/pong")
        embed.add_field(name="latency", value=f"{client.latency * 1000:.0f} ms", inline=True)
        embed.set_footer(text="discord.py")
        reply = await message.reply("pong", embed=embed)
        await reply.add_reaction("\N{THUMBS UP SIGN}")
        edited = await reply.edit(content="pong (edited)")
        history = [m async for m in message.channel.history(limit=20)]
        fetched = await message.channel.fetch_message(reply.id)
        report("ping_done", reply=str(reply.id), reference=str(reply.reference.message_id),
               embed_title=fetched.embeds[0].title, embed_fields=len(fetched.embeds[0].fields),
               edited=edited.content, reactions=[str(r.emoji) for r in fetched.reactions],
               history=[str(m.id) for m in history])
        await reply.delete()
        report("deleted", reply=str(reply.id))
    elif message.content == "!status":
        await client.change_presence(status=discord.Status.idle,
                                     activity=discord.Activity(type=discord.ActivityType.listening, name="lofi"))
        report("status_done")
    elif message.content == "!quit":
        report("quitting")
        await client.close()


client.run(os.environ["RC_TOKEN"], log_handler=None)
report("exited")
sys.exit(0)
