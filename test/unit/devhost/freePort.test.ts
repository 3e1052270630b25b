import { portPicker } from '../../../devhost/freePort';

describe('freePort', () => {
  it('does not hand out a port again that the OS offers twice in a row, until two minutes have passed', async () => {
    const offered = [5000, 5000, 5001, 5000];
    let clock = 0;
    const pick = portPicker(
      async () => offered.shift()!,
      () => clock,
    );
    expect([await pick(), await pick()]).toEqual([5000, 5001]);
    clock = 121_000;
    expect(await pick()).toBe(5000);
  });
});
