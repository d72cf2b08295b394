import { expect } from 'chai';
import { CHROMIUM, dumpDom } from './support/chromium.js';
import { startDemoExporter, type DemoExporter } from './support/demoExporter.js';
import { requireInstalled } from './support/monitoringServers.js';

interface Row {
  readonly state: string | undefined;
  readonly rowClass: string | undefined;
  readonly cells: readonly string[];
}

/** The status page's target rows as Chromium built them: each row's data-state, class and cell texts. */
function targetRows(dom: string): Row[] {
  const body = /<table class="targets">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(dom)?.[1] ?? '';
  return [...body.matchAll(/<tr([^>]*)>([\s\S]*?)<\/tr>/g)].map(([, attributes = '', cells = '']) => ({
    state: /data-state="([^"]*)"/.exec(attributes)?.[1],
    rowClass: /class="([^"]*)"/.exec(attributes)?.[1],
    cells: [...cells.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map(([, text = '']) => text),
  }));
}

const COLUMNS = { state: 0, target: 2, account: 3, region: 4 } as const;

describe('the status page of the demo, in headless Chromium', function () {
  this.timeout(120_000);
  let demo: DemoExporter | undefined;
  let dom = '';
  before(async () => {
    requireInstalled([CHROMIUM]);
    // The first collection reads every job in the window: householding's runs have all failed by its end.
    demo = await startDemoExporter();
    dom = await dumpDom(`${demo.url}/`);
  });
  after(async () => { await demo?.stop(); });

  it('shows the failing workflow and the denied domain in trouble, first, and the healthy targets not', () => {
    const rows = targetRows(dom);
    const byName = new Map(rows.map((row) => [row.cells[COLUMNS.target], row]));
    expect([...byName.keys()].sort()).to.deep.equal(['crm-to-ads', 'dedupe-hourly', 'dedupe-nightly', 'householding', 'loyalty', 'partner-sandbox', 'retail-eu', 'retail-us', 'web-to-crm']);

    const troubled = ['partner-sandbox', 'householding'];
    expect(byName.get('partner-sandbox')).to.include({ state: 'down', rowClass: 'trouble' });
    expect(byName.get('partner-sandbox')?.cells[COLUMNS.state]).to.equal('Down: AWS calls fail');
    expect(byName.get('householding')).to.include({ state: 'failing', rowClass: 'trouble' });
    expect(byName.get('householding')?.cells[COLUMNS.state]).to.equal('Failing');
    expect(rows.slice(0, 2).map((row) => row.cells[COLUMNS.target]), 'worst first').to.deep.equal(troubled);

    for (const row of rows.filter((r) => !troubled.includes(r.cells[COLUMNS.target] ?? ''))) {
      // A healthy target's newest run may fail by chance (1 in 25 in the simulator): that alone is no trouble.
      expect(row.rowClass, row.cells.join(' | ')).to.not.equal('trouble');
      expect(['ok', 'failed']).to.include(row.state);
    }
    expect(/<p class="summary">([^<]*)/.exec(dom)?.[1]).to.equal('2 of 9 targets in trouble: partner-sandbox, householding.');
  });

  it('shows the targets\' two accounts and two regions', () => {
    const rows = targetRows(dom);
    expect(new Set(rows.map((row) => row.cells[COLUMNS.account]))).to.have.keys('123456789012', '210987654321');
    expect(new Set(rows.map((row) => row.cells[COLUMNS.region]))).to.have.keys('us-east-1', 'eu-west-1');
    const placeOf = (name: string): string[] => {
      const row = rows.find((r) => r.cells[COLUMNS.target] === name);
      return [row?.cells[COLUMNS.account] ?? '', row?.cells[COLUMNS.region] ?? ''];
    };
    expect(placeOf('retail-us')).to.deep.equal(['123456789012', 'us-east-1']);
    expect(placeOf('retail-eu')).to.deep.equal(['123456789012', 'eu-west-1']);
  });
});
