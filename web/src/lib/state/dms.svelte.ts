/**
 * Reactive holder of relationships and private channels (DMs, group DMs) with the queries the
 * Home views need. Only `apply` writes; the pure reducers live beside it.
 */
import type { User } from '../api/types';
import type { Dispatch } from '../gateway/socket';
import { type PrivateChannel, type PrivateChannelsState, reducePrivateChannels, sortPrivateChannels } from './private-channels';
import { type Relationship, type RelationshipsState, RelationshipType, reduceRelationships } from './relationships';

export class DmsStore {
  relationships: RelationshipsState = $state.raw({});
  channels: PrivateChannelsState = $state.raw({});

  apply(ev: Dispatch) {
    this.relationships = reduceRelationships(this.relationships, ev);
    this.channels = reducePrivateChannels(this.channels, ev);
  }

  /** Newest activity first. */
  get list(): PrivateChannel[] {
    return sortPrivateChannels(this.channels);
  }

  get(id: string | undefined): PrivateChannel | undefined {
    return id ? this.channels[id] : undefined;
  }

  ofType(type: number): Relationship[] {
    return Object.values(this.relationships)
      .filter((r) => r.type === type)
      .sort((a, b) => (a.user.global_name ?? a.user.username).localeCompare(b.user.global_name ?? b.user.username));
  }

  get friends() {
    return this.ofType(RelationshipType.FRIEND);
  }

  get pending() {
    return [...this.ofType(RelationshipType.INCOMING), ...this.ofType(RelationshipType.OUTGOING)];
  }

  get blocked() {
    return this.ofType(RelationshipType.BLOCKED);
  }

  type(userId: string): number | undefined {
    return this.relationships[userId]?.type;
  }

  isBlocked(userId: string) {
    return this.relationships[userId]?.type === RelationshipType.BLOCKED;
  }

  /** The open 1:1 DM with a user, if any. */
  dmWith(userId: string): PrivateChannel | undefined {
    return Object.values(this.channels).find((c) => c.type === 1 && c.recipients[0]?.id === userId);
  }

  /** A user known from relationships or DM recipients. */
  user(id: string): User | undefined {
    const r = this.relationships[id]?.user;
    if (r) return r;
    for (const c of Object.values(this.channels)) {
      const u = c.recipients.find((x) => x.id === id);
      if (u) return u;
    }
    return undefined;
  }
}
