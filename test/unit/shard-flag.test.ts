/**
 * `--shard I/N`: the index as the shell substitutes it from a scheduler's variable, or `auto/N`
 * reading the variable itself (Slurm, Kubernetes Indexed Jobs, AWS Batch), and the messages of
 * what cannot be a shard; and the ranges the shards cover.
 */
import { describe, expect, it } from 'vitest';
import { parseShard } from '../../src/cli/shard';
import { shardRange } from '../../src/core/metrics/streaming';

describe('--shard', () => {
  it('takes I/N as substituted by the shell, and auto/N from whichever scheduler variable is set', () => {
    expect(parseShard('2/7', {})).toEqual({ shard: 2, shards: 7 });
    expect(parseShard('auto/7', { SLURM_ARRAY_TASK_ID: '3' })).toEqual({ shard: 3, shards: 7 });
    expect(parseShard('auto/7', { JOB_COMPLETION_INDEX: '0' })).toEqual({ shard: 0, shards: 7 });
    expect(parseShard('auto/7', { AWS_BATCH_JOB_ARRAY_INDEX: '6' })).toEqual({ shard: 6, shards: 7 });
    // Slurm first: a Slurm job inside a Kubernetes pod is still indexed by its array.
    expect(parseShard('auto/7', { SLURM_ARRAY_TASK_ID: '1', JOB_COMPLETION_INDEX: '5' })).toEqual({ shard: 1, shards: 7 });
  });

  it('says what is wrong: an unset variable, no scheduler, an index past N (a Slurm array from 1), not numbers', () => {
    expect(() => parseShard('/7', {})).toThrow("--shard /7 has no index: the variable before '/' was empty or unset");
    expect(() => parseShard('auto/7', {})).toThrow('--shard auto/7 reads the array index from SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX, but none is set');
    expect(() => parseShard('7/7', {})).toThrow('--shard 7/7: index 7 is not below N = 7. Indices run from 0 to 6 (a Slurm array as --array=0-6).');
    expect(() => parseShard('auto/3', { SLURM_ARRAY_TASK_ID: '3' })).toThrow('index 3 (SLURM_ARRAY_TASK_ID) is not below N = 3');
    expect(() => parseShard('1/0', {})).toThrow("N must be a positive whole number, got '0'");
    expect(() => parseShard('a/3', {})).toThrow("the index must be a whole number, got 'a'");
    expect(() => parseShard('1-3', {})).toThrow("--shard must be I/N (shard I of N, 0-based) or auto/N, got '1-3'");
  });

  it('splits the pool into contiguous ranges that cover it once, as equal as integers allow', () => {
    expect([0, 1, 2].map((i) => shardRange(10, i, 3))).toEqual([{ from: 0, to: 3 }, { from: 3, to: 6 }, { from: 6, to: 10 }]);
    // More shards than candidates: some shards are empty, none overlaps.
    expect([0, 1, 2].map((i) => shardRange(2, i, 3))).toEqual([{ from: 0, to: 0 }, { from: 0, to: 1 }, { from: 1, to: 2 }]);
  });
});
