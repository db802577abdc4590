/**
 * This device's voice connection: joins through gateway op 4, connects to LiveKit with the token
 * from VOICE_SERVER_UPDATE, and owns the microphone (voice activity or push-to-talk), self
 * mute/deafen, devices, per-user volume (remembered on this device) and who is speaking.
 * `livekit-client` is loaded on the first join so it never weighs on the first page load.
 */
import type { Room as LkRoom, Participant, RemoteParticipant } from 'livekit-client';
import type { Dispatch } from '../gateway/socket';
import { reduceVoiceStates, stateOf, type VoiceStatesState } from './voice';

const SETTINGS_KEY = 'retrocast.voice.settings';
const VOLUMES_KEY = 'retrocast.voice.volumes';
const JOIN_TIMEOUT_MS = 10_000;

export type VoiceMode = 'vad' | 'ptt';
interface Settings {
  mode: VoiceMode;
  pttKey: string;
  /** 0–100: higher opens the mic on quieter sound. */
  sensitivity: number;
  inputId: string;
  outputId: string;
}

function load<T>(key: string, fallback: T): T {
  try {
    return { ...fallback, ...JSON.parse(localStorage.getItem(key) ?? '{}') };
  } catch {
    return fallback;
  }
}

export class VoiceClient {
  states: VoiceStatesState = $state.raw({});
  /** null in a DM call (then `channelId` is the DM or group DM). */
  guildId: string | null = $state(null);
  channelId: string | null = $state(null);
  status: 'idle' | 'joining' | 'connected' = $state('idle');
  error: string | null = $state(null);
  selfMute = $state(false);
  selfDeaf = $state(false);
  /** True while the mic is actually sending (VAD open or PTT held, not muted). */
  transmitting = $state(false);
  pttHeld = $state(false);
  /** The desktop app's global push-to-talk key, when the shell bound one (null in a browser). */
  globalPttKey: string | null = $state(null);
  speaking: Set<string> = $state.raw(new Set());
  quality = $state('unknown');
  settings: Settings = $state(
    load(SETTINGS_KEY, { mode: 'vad' as VoiceMode, pttKey: 'Space', sensitivity: 50, inputId: 'default', outputId: 'default' }),
  );
  volumes: Record<string, number> = $state(load(VOLUMES_KEY, {}));
  inputs: MediaDeviceInfo[] = $state.raw([]);
  outputs: MediaDeviceInfo[] = $state.raw([]);

  private send: (op: number, d: unknown) => void = () => {};
  private me: () => string | undefined = () => undefined;
  private room: LkRoom | null = null;
  private joinTimer: ReturnType<typeof setTimeout> | undefined;
  private vad: { stop(): void } | null = null;
  private vadOpen = false;

  /** Called by the session once: how to send gateway payloads and who we are. */
  attach(send: (op: number, d: unknown) => void, me: () => string | undefined) {
    this.send = send;
    this.me = me;
  }

  apply(ev: Dispatch) {
    const before = this.states;
    this.states = reduceVoiceStates(this.states, ev);
    if (ev.t === 'VOICE_SERVER_UPDATE' && ev.d.endpoint) void this.connect(ev.d.endpoint, ev.d.token);
    if (ev.t === 'VOICE_SERVER_UPDATE' && !ev.d.endpoint) {
      this.error =
        "Voice isn't set up on this server yet. Its owner can turn it on: install LiveKit (see the README, “Voice”) and restart Retrocast.";
      void this.hangUp();
    }
    if (ev.t === 'VOICE_STATE_UPDATE') this.onVoiceState(before, ev.d);
  }

  private onVoiceState(before: VoiceStatesState, s: { user_id: string; guild_id: string; channel_id: string | null }) {
    if (s.user_id === this.me()) {
      if (s.channel_id === null && this.channelId && this.status !== 'joining') void this.hangUp();
      else if (s.channel_id) this.channelId = s.channel_id;
      return;
    }
    if (!this.channelId || this.status !== 'connected') return;
    const was = before[s.guild_id]?.[s.user_id]?.channel_id;
    if (was !== this.channelId && s.channel_id === this.channelId) chime(true);
    if (was === this.channelId && s.channel_id !== this.channelId) chime(false);
  }

  /**
   * Joins a voice channel (leaving the current one first, as Discord). `refusal` is the reason the
   * server would refuse (it answers a refused op 4 with silence, as Discord), checked up front.
   */
  join(guildId: string | null, channelId: string, refusal?: string) {
    if (this.channelId === channelId && this.status !== 'idle') return;
    if (refusal) {
      this.error = refusal;
      return;
    }
    void this.room?.disconnect();
    this.room = null;
    this.guildId = guildId;
    this.channelId = channelId;
    this.status = 'joining';
    this.error = null;
    this.send(4, { guild_id: guildId, channel_id: channelId, self_mute: this.selfMute, self_deaf: this.selfDeaf });
    clearTimeout(this.joinTimer);
    this.joinTimer = setTimeout(() => {
      if (this.status !== 'joining') return;
      this.error = 'Could not join: no permission, the channel is full, or voice is unavailable.';
      void this.hangUp();
    }, JOIN_TIMEOUT_MS);
  }

  async leave() {
    if (this.channelId) this.send(4, { guild_id: this.guildId, channel_id: null, self_mute: false, self_deaf: false });
    await this.hangUp();
  }

  private async hangUp() {
    clearTimeout(this.joinTimer);
    this.vad?.stop();
    this.vad = null;
    const room = this.room;
    this.room = null;
    this.status = 'idle';
    this.channelId = null;
    this.speaking = new Set();
    this.transmitting = false;
    await room?.disconnect();
  }

  private async connect(url: string, token: string) {
    clearTimeout(this.joinTimer);
    const { Room, RoomEvent } = await import('livekit-client');
    await this.room?.disconnect();
    const room = new Room({
      webAudioMix: true,
      adaptiveStream: false,
      dynacast: false,
      audioCaptureDefaults: { deviceId: this.settings.inputId, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    });
    this.room = room;
    room
      .on(RoomEvent.ActiveSpeakersChanged, (ps: Participant[]) => (this.speaking = new Set(ps.map((p) => p.identity))))
      .on(RoomEvent.ConnectionQualityChanged, (q, p) => {
        if (p.identity === this.me()) this.quality = String(q);
      })
      .on(RoomEvent.ParticipantConnected, (p: RemoteParticipant) => this.applyVolume(p))
      .on(RoomEvent.TrackSubscribed, (track, _pub, p: RemoteParticipant) => {
        if (track.kind !== 'audio') return;
        track.attach();
        this.applyVolume(p);
      })
      .on(RoomEvent.ParticipantPermissionsChanged, () => void this.updateMic())
      .on(RoomEvent.Disconnected, () => {
        if (this.room === room) void this.hangUp();
      });
    try {
      await room.connect(url, token, { autoSubscribe: true });
      await room.startAudio().catch(() => {});
      if (this.room !== room) return void room.disconnect();
      this.status = 'connected';
      this.quality = String(room.localParticipant.connectionQuality);
      for (const p of room.remoteParticipants.values()) this.applyVolume(p);
      await this.refreshDevices();
      await this.startVad();
      await this.updateMic();
    } catch (e) {
      this.error = `Voice connection failed: ${e instanceof Error ? e.message : e}`;
      await this.leave();
    }
  }

  /** Publishes the mic only when the user wants to be heard right now. */
  private async updateMic() {
    const room = this.room;
    if (!room || this.status !== 'connected') return;
    const wants = !this.selfMute && !this.selfDeaf && (this.settings.mode === 'ptt' ? this.pttHeld : this.vadOpen);
    const may = room.localParticipant.permissions?.canPublish !== false;
    this.transmitting = wants && may;
    await room.localParticipant.setMicrophoneEnabled(this.transmitting).catch((e) => (this.error = `Microphone: ${e.message ?? e}`));
  }

  /** Voice activity: a separate analyser stream (a muted LiveKit track reads as silence). */
  private async startVad() {
    this.vad?.stop();
    this.vad = null;
    if (this.settings.mode !== 'vad') return;
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { deviceId: this.settings.inputId } }).catch(() => null);
    if (!stream) return;
    const ctx = new AudioContext();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 1024;
    ctx.createMediaStreamSource(stream).connect(analyser);
    const buf = new Float32Array(analyser.fftSize);
    let lastLoud = 0;
    const timer = setInterval(() => {
      analyser.getFloatTimeDomainData(buf);
      let sum = 0;
      for (const v of buf) sum += v * v;
      const db = 10 * Math.log10(sum / buf.length + 1e-12);
      // sensitivity 0 → -20 dBFS needed, 100 → -80 dBFS; stay open 300 ms after the last loud frame.
      if (db > -20 - this.settings.sensitivity * 0.6) lastLoud = Date.now();
      const open = Date.now() - lastLoud < 300;
      if (open !== this.vadOpen) {
        this.vadOpen = open;
        void this.updateMic();
      }
    }, 50);
    this.vad = {
      stop: () => {
        clearInterval(timer);
        for (const t of stream.getTracks()) t.stop();
        void ctx.close();
      },
    };
  }

  toggleMute() {
    // Undeafening by unmuting, as Discord: deafen implies mute.
    if (this.selfDeaf) this.selfDeaf = false;
    this.selfMute = !this.selfMute;
    this.syncSelf();
  }

  toggleDeaf() {
    this.selfDeaf = !this.selfDeaf;
    this.selfMute = this.selfDeaf;
    this.syncSelf();
  }

  private syncSelf() {
    if (this.channelId)
      this.send(4, { guild_id: this.guildId, channel_id: this.channelId, self_mute: this.selfMute, self_deaf: this.selfDeaf });
    for (const p of this.room?.remoteParticipants.values() ?? []) this.applyVolume(p);
    void this.updateMic();
  }

  /** Push-to-talk key handling; only while this window has focus (browsers give no global keys). */
  key(e: KeyboardEvent, down: boolean) {
    // In the desktop app the global key (which also works in this window) replaces this one.
    if (this.globalPttKey || this.settings.mode !== 'ptt' || this.status !== 'connected' || e.code !== this.settings.pttKey) return;
    const t = e.target as HTMLElement | null;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
    e.preventDefault();
    this.setPtt(down);
  }

  /** Push-to-talk held or released: the window's key above, or the desktop app's global key. */
  setPtt(down: boolean) {
    if (this.settings.mode !== 'ptt' || this.pttHeld === down) return;
    this.pttHeld = down;
    void this.updateMic();
  }

  saveSettings() {
    localStorage.setItem(SETTINGS_KEY, JSON.stringify(this.settings));
    if (this.status === 'connected') {
      void this.startVad().then(() => this.updateMic());
      void this.room?.switchActiveDevice('audioinput', this.settings.inputId).catch(() => {});
      void this.room?.switchActiveDevice('audiooutput', this.settings.outputId).catch(() => {});
    }
  }

  volumeOf(userId: string) {
    return this.volumes[userId] ?? 1;
  }

  /** 0–2 (0–200 %), remembered per user on this device. */
  setVolume(userId: string, v: number) {
    this.volumes[userId] = v;
    localStorage.setItem(VOLUMES_KEY, JSON.stringify(this.volumes));
    const p = this.room?.remoteParticipants.get(userId);
    if (p) this.applyVolume(p);
  }

  private applyVolume(p: RemoteParticipant) {
    p.setVolume(this.selfDeaf ? 0 : this.volumeOf(p.identity));
  }

  async refreshDevices() {
    const { Room } = await import('livekit-client');
    this.inputs = await Room.getLocalDevices('audioinput').catch(() => []);
    this.outputs = await Room.getLocalDevices('audiooutput').catch(() => []);
  }

  /** My own voice state as the server sees it (server mute/deaf). */
  get mine() {
    return stateOf(this.states, this.me());
  }
}

/** Join/leave sounds: two short tones, rising for a join, falling for a leave. */
function chime(up: boolean) {
  try {
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.setValueAtTime(up ? 520 : 780, ctx.currentTime);
    osc.frequency.setValueAtTime(up ? 780 : 520, ctx.currentTime + 0.09);
    gain.gain.setValueAtTime(0.08, ctx.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.25);
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.26);
    osc.onended = () => void ctx.close();
  } catch {
    /* no audio output */
  }
}

export const voice = new VoiceClient();
