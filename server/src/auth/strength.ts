import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { invalidField } from '../http/errors.js';

/**
 * zxcvbn-ts with its common-password lists and keyboard graphs (no language pack: the lists are
 * what matter). Score 0–4; below 2 is "guessable in under ~10^6 tries" (`password123`, `qwertyuiop`,
 * `alice2024`): refused. Loaded and built at the first check, not at start: the dictionaries take a
 * moment and several MiB of heap.
 */
let estimator: Promise<ZxcvbnFactory> | undefined;
const loadEstimator = async () => {
  const [{ ZxcvbnFactory }, { adjacencyGraphs, dictionary }] = await Promise.all([
    import('@zxcvbn-ts/core'),
    import('@zxcvbn-ts/language-common'),
  ]);
  return new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });
};
const MIN_SCORE = 2;

/** zxcvbn's warning keys → the reason we give. */
const REASONS: Record<string, string> = {
  topTen: 'It is one of the most common passwords.',
  topHundred: 'It is one of the most common passwords.',
  common: 'It is a commonly used password.',
  similarToCommon: 'It is too close to a commonly used password.',
  straightRow: 'Keyboard rows are easy to guess.',
  keyPattern: 'Keyboard patterns are easy to guess.',
  simpleRepeat: 'Repeated characters are easy to guess.',
  extendedRepeat: 'Repeated patterns are easy to guess.',
  sequences: 'Sequences like "abc" or "6543" are easy to guess.',
  recentYears: 'Recent years are easy to guess.',
  dates: 'Dates are easy to guess.',
  userInputs: 'It contains your username.',
};

/** Why `password` is too weak for `username`, or undefined when it is fine. */
export async function passwordWeakness(password: string, username: string): Promise<string | undefined> {
  const lower = password.toLowerCase();
  const name = username.toLowerCase();
  if (name.length >= 3 && lower.includes(name)) return 'It contains your username.';
  estimator ??= loadEstimator();
  const result = (await estimator).check(password, [username]);
  if (result.score >= MIN_SCORE) return undefined;
  return REASONS[result.feedback.warning ?? ''] ?? 'It is too easy to guess.';
}

/** 400 on `field` naming the reason, e.g. "Password is too weak: it is a commonly used password." */
export async function checkPasswordStrength(password: string, username: string, field: string) {
  const reason = await passwordWeakness(password, username);
  if (reason) throw invalidField(field, 'PASSWORD_TOO_WEAK', `Password is too weak. ${reason} Try a few unrelated words.`);
}
