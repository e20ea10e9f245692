import { expect } from 'vitest';
import { DatasetError, type DatasetIssue } from '../../src/core/dataset/types';

/** Runs a load that must fail and returns the issues of its DatasetError. */
export function issuesOf(load: () => unknown): DatasetIssue[] {
  try {
    load();
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    return (e as DatasetError).issues;
  }
  throw new Error('expected a DatasetError');
}
