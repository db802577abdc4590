import { hash, verify } from '@node-rs/argon2';
import { ApiError } from '../http/errors.js';
import { argon2Queue } from './work-queue.js';

/** Argon2id with the spec's parameters: time 1, memory 64 MiB, parallelism 4. */
export function hashPassword(password: string, memoryKib: number): Promise<string> {
  return argon2Queue.run(() => hash(password, { algorithm: 2 /* Argon2id */, timeCost: 1, memoryCost: memoryKib, parallelism: 4 }));
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await argon2Queue.run(() => verify(stored, password));
  } catch (err) {
    if (err instanceof ApiError) throw err; // the queue is full: 503, not "wrong password"
    return false;
  }
}

// A real hash to verify against when the user does not exist, so timing doesn't reveal usernames.
let dummy: Promise<string> | undefined;
export function dummyHash(memoryKib: number): Promise<string> {
  dummy ??= hashPassword('not-a-real-password', memoryKib).catch((err) => {
    dummy = undefined; // refused by a full queue: try again next time
    throw err;
  });
  return dummy;
}
