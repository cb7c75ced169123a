// The client against foreign SSE backends (tests/conformance/backends/), one
// describe per backend row, two users A and B (two browser contexts) each:
//
//   receive        messages published by the backend's own API arrive, with
//                  no reply/edit/delete/reaction controls (keys off)
//   reply          (backends relaying `reply_to`) B answers A's message; both
//                  quote the original from the bare id and jump to it
//   send           A sends through the UI, B sees it under A's name (and back)
//   no duplicates  after a barrier, every message shows exactly once for A
//                  (its own included) and for B
//   restart        the harness stops and starts the backend process
//                  mid-conversation; what was said before and after shows
//                  exactly once for both
//
// Read-only rows have no send check and only publish in the others.
import { expect } from '@playwright/test';
import {
  backends,
  control,
  expectConnected,
  expectEachOnce,
  expectReconnecting,
  messages,
  publish,
  say,
  settle,
  tag,
  test,
  Backend,
} from './client';
import type { Page } from '@playwright/test';

type Users = { a: Page; b: Page; nickA: string; nickB: string; t: string; pages: [string, Page][] };

/** A and B, joined to the backend under fresh nicknames. */
async function users(open: (b: Backend, n: string) => Promise<Page>, backend: Backend): Promise<Users> {
  const t = tag();
  const [nickA, nickB] = [`alice-${t}`, `bob-${t}`];
  const a = await open(backend, nickA);
  const b = await open(backend, nickB);
  return { a, b, nickA, nickB, t, pages: [['A', a], ['B', b]] };
}

/** A says `text` and B shows it (so the backend has fanned it out to both). */
async function aToB(u: Users, text: string) {
  await say(u.a, text);
  await expect(messages(u.b, text), `B shows "${text}", sent by A through the UI`).not.toHaveCount(0);
}

/** B says `text` and A shows it. */
async function bToA(u: Users, text: string) {
  await say(u.b, text);
  await expect(messages(u.a, text), `A shows "${text}", sent by B through the UI`).not.toHaveCount(0);
}

for (const backend of backends()) {
  test.describe(backend.name, () => {
    test('receive', async ({ open, request }) => {
      const u = await users(open, backend);
      const texts = [1, 2, 3].map((i) => `announcement ${i} ${u.t}`);
      for (const text of texts) await publish(request, backend, 'announcer', text);
      for (const [who, page] of u.pages) {
        for (const text of texts) {
          await expect(messages(page, text), `${who} shows "${text}", published by the backend`).not.toHaveCount(0);
        }
      }
      const author = backend.anonymous ? 'anonymous' : 'announcer';
      await expect(messages(u.b, texts[0]).first().locator('.author'), 'the author is shown').toHaveText(author);
      // Replies, edits, deletes and reactions are off for this backend:
      // none of their controls is offered, even on hover.
      const row = messages(u.b, texts[0]).first();
      await row.hover();
      // (A backend that relays replies offers Reply only.)
      await expect(row.locator('.msg-actions button'), 'no other message actions').toHaveCount(backend.replies ? 1 : 0);
      await expect(u.b.locator('.reaction, .quote'), 'no reactions or quotes').toHaveCount(0);
    });

    if (!backend.readOnly) {
      test('send', async ({ open }) => {
        const u = await users(open, backend);
        const text = `hello from A ${u.t}`;
        await aToB(u, text);
        await expect(messages(u.b, text).first().locator('.author'), "B sees A's name").toHaveText(u.nickA);
        const own = messages(u.a, text).first();
        await expect(own, "A's own copy is marked as A's").toHaveClass(/\bmine\b/);
        await expect(own, "A's own copy is confirmed (not pending or failed)").not.toHaveClass(/\b(pending|failed)\b/);
        await bToA(u, `hello from B ${u.t}`);
      });
    }

    if (backend.replies) {
      test('reply', async ({ open }) => {
        const u = await users(open, backend);
        const question = `a question from A ${u.t}`;
        await aToB(u, question);
        const original = messages(u.b, question).first();
        await original.hover();
        await original.getByRole('button', { name: 'Reply', exact: true }).click();
        const answer = `the answer from B ${u.t}`;
        await bToA(u, answer);
        // The backend relays a bare id: each client quotes the original it holds.
        for (const [who, page] of u.pages) {
          const quote = messages(page, answer).first().locator('.quote');
          await expect(quote, `${who} quotes A's question`).toContainText(question);
          await expect(quote, `${who} names its author`).toContainText(u.nickA);
        }
        await messages(u.a, answer).first().locator('.quote').click();
        await expect(messages(u.a, question).first(), 'the quote leads to the original').toBeFocused();
      });
    }

    test('no duplicates', async ({ open, request }) => {
      const u = await users(open, backend);
      const texts = [`published ${u.t}`];
      await publish(request, backend, 'announcer', texts[0]);
      if (!backend.readOnly) {
        texts.push(`from A ${u.t}`, `from B ${u.t}`);
        await aToB(u, texts[1]);
        await bToA(u, texts[2]);
      }
      await settle(request, backend, u.pages);
      await expectEachOnce(u.pages, texts);
    });

    test('restart', async ({ open, request }) => {
      // A fresh process first: for in-memory backends the conversation
      // below then starts at the backend's first id.
      await control(request, backend, 'restart');
      const u = await users(open, backend);
      const before = [`published before the restart ${u.t}`];
      await publish(request, backend, 'announcer', before[0]);
      if (!backend.readOnly) {
        before.push(`A before the restart ${u.t}`);
        await aToB(u, before[1]);
      }
      await settle(request, backend, u.pages);

      await control(request, backend, 'stop');
      for (const [who, page] of u.pages) await expectReconnecting(page, who);
      await control(request, backend, 'start');
      for (const [who, page] of u.pages) await expectConnected(page, who);

      const after = [`published after the restart ${u.t}`];
      await publish(request, backend, 'announcer', after[0]);
      if (!backend.readOnly) {
        after.push(`A after the restart ${u.t}`, `B after the restart ${u.t}`);
        await aToB(u, after[1]);
        await bToA(u, after[2]);
      }
      await settle(request, backend, u.pages);
      await expectEachOnce(u.pages, [...before, ...after]);
    });
  });
}
