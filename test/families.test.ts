import { expect } from 'chai';
import { AS_OF_COLLECTION } from '../src/metrics/family.js';
import { selfFamilies, snapshotFamilies } from '../scripts/metricReference.js';

/**
 * What every HELP must be, as the reason it breaks each rule: capitalised sentences ending with a period, on one
 * line, and one moment the value is taken at. A second "as of" clause would name two moments (or contradict the
 * first), and a family that says it is as of the last collection cannot also speak of the scrape.
 */
function helpProblems(help: string): string[] {
  const problems: string[] = [];
  if (!/^[A-Z]/.test(help)) problems.push('does not start with a capital letter');
  if (!help.endsWith('.')) problems.push('does not end with a period');
  if (/[.!?]\s+[^A-Z\s]/.test(help)) problems.push('has a sentence that does not start with a capital letter');
  if (help.includes('\n')) problems.push('spans lines');
  if ((help.match(/\bas of\b/gi) ?? []).length > 1) problems.push('says "as of" more than once');
  if (help.includes(AS_OF_COLLECTION) && /scrape/i.test(help.replace(AS_OF_COLLECTION, ''))) problems.push('is as of the last collection and speaks of the scrape');
  return problems;
}

describe('HELP texts', () => {
  it('the rules catch what they are meant to', () => {
    expect(helpProblems('Jobs seen to finish.')).to.deep.equal([]);
    expect(helpProblems(`Status of the job: 1 or 0. ${AS_OF_COLLECTION}`)).to.deep.equal([]);
    expect(helpProblems('1 when it ran, else 0.')).to.deep.equal(['does not start with a capital letter']);
    expect(helpProblems('Jobs seen to finish')).to.deep.equal(['does not end with a period']);
    expect(helpProblems('Jobs seen. counted once.')).to.deep.equal(['has a sentence that does not start with a capital letter']);
    expect(helpProblems('Jobs.\nSeen.')).to.deep.equal(['spans lines']);
    expect(helpProblems('As of the last refresh. As of the last collection.')).to.deep.equal(['says "as of" more than once']);
    expect(helpProblems(`Seconds since it started, at scrape time. ${AS_OF_COLLECTION}`)).to.deep.equal(['is as of the last collection and speaks of the scrape']);
  });

  it('every family of the exporter, its own included, has a HELP that keeps the rules', () => {
    const families = [...snapshotFamilies(), ...selfFamilies()];
    const problems = families.flatMap((family) => helpProblems(family.help).map((problem) => `${family.name}: HELP ${problem}: ${family.help}`));
    expect(problems).to.deep.equal([]);
  });
});
