// How every Playwright suite here starts Debian's Chromium: never a
// downloaded browser; as root without the sandbox; and with the background
// services off, which otherwise flood this machine's closed network.
export const chromiumLaunch = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};
