import { test, expect } from '@playwright/test';
import { join, send, uniqueRoom, seed, messages } from './helpers';

// Screenshots of a busy room in light and dark themes and at 360 px wide,
// saved under test-results/screenshots/ for people to look at.
const shots = [
  { name: 'room-light', colorScheme: 'light' as const, viewport: { width: 1100, height: 700 } },
  { name: 'room-dark', colorScheme: 'dark' as const, viewport: { width: 1100, height: 700 } },
  { name: 'room-360px', colorScheme: 'light' as const, viewport: { width: 360, height: 740 } },
];

for (const shot of shots) {
  test(`screenshot: ${shot.name}`, async ({ browser, request }) => {
    const room = uniqueRoom('design');
    await seed(request, room, 'carol', [
      'Morning! Release notes are at https://example.com/release/1.2',
      'Two things before the call:\n1. the login bug\n2. the new room list',
    ]);
    await seed(request, room, 'bob', ['On it.', 'Fixed the login bug, can someone review?']);
    const page = await join(browser, 'alice', room, { colorScheme: shot.colorScheme, viewport: shot.viewport });
    await expect(messages(page, 'Fixed the login bug, can someone review?')).toBeVisible();
    await send(page, 'Looking now.');
    await expect(messages(page, 'Looking now.')).not.toHaveClass(/pending/);
    const box = await page.locator('.chat').boundingBox();
    expect(box!.width).toBeLessThanOrEqual(shot.viewport.width); // no horizontal overflow
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(overflow).toBe(false);
    await page.screenshot({ path: `test-results/screenshots/${shot.name}.png` });
  });
}
