import { describe, expect, it } from 'vitest';
import { pagerColours } from '../../../src/cli/pager.js';

describe('pagerColours: what $PAGER gets, coloured text or plain', () => {
  it('sets LESS=FRX for less when LESS is unset, as git does, and keeps the colours', () => {
    expect(pagerColours('less', {})).toEqual({ colour: true, env: { LESS: 'FRX' } });
    expect(pagerColours('/usr/bin/less', {})).toEqual({ colour: true, env: { LESS: 'FRX' } });
  });

  it("keeps colours for a less told -R or -r, by its arguments or the user's LESS, and leaves a set LESS alone", () => {
    expect(pagerColours('less -R', { LESS: '-i' })).toEqual({ colour: true, env: {} });
    expect(pagerColours('less -FRX', { LESS: '-i' })).toEqual({ colour: true, env: {} });
    expect(pagerColours('less --RAW-CONTROL-CHARS', { LESS: '' })).toEqual({ colour: true, env: {} });
    expect(pagerColours('less', { LESS: 'FRX' })).toEqual({ colour: true, env: {} });
    expect(pagerColours('less', { LESS: '-i -r' })).toEqual({ colour: true, env: {} });
  });

  it('strips colours for a less whose LESS or arguments leave -R off', () => {
    expect(pagerColours('less', { LESS: '-i' })).toEqual({ colour: false, env: {} });
    expect(pagerColours('less', { LESS: '' })).toEqual({ colour: false, env: {} });
    // -x4R: "4R" is the tab width's value, not -R; -+R turns R off.
    expect(pagerColours('less', { LESS: '-x4R' })).toEqual({ colour: false, env: {} });
    expect(pagerColours('less -+R', { LESS: 'R' })).toEqual({ colour: false, env: {} });
    expect(pagerColours('less -+R', {})).toEqual({ colour: false, env: { LESS: 'FRX' } });
    expect(pagerColours('less', { LESS: '-+R' })).toEqual({ colour: false, env: {} });
  });

  it('strips colours for any other pager', () => {
    expect(pagerColours('more', {})).toEqual({ colour: false, env: {} });
    expect(pagerColours('cat > paged.txt', {})).toEqual({ colour: false, env: {} });
    expect(pagerColours('lessless', {})).toEqual({ colour: false, env: {} });
  });
});
