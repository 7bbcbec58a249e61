/* Links from API data: only these checks make a link (http/https, mailto, tel); display.py has the same. */

const EMAIL = /^[^\s@<>()"',;:]+@[^\s@<>()"',;:]+\.[^\s@<>()"',;:]+$/;
const WEB = /^https?:\/\/(?:[^\s/?#@]*@)?([^\s/?#:@]+)/i;
const MIN_PHONE_DIGITS = 5;

/** An absolute http(s) URL as given, else null (javascript:, data:, relative...). */
export function safeWebUrl(text) {
  if (!text || !WEB.test(String(text))) return null;
  try {
    new URL(String(text)); // eslint-disable-line no-new -- a URL the browser cannot parse is no link
    return String(text);
  } catch (e) {
    return null;
  }
}

/** The host a card shows for a website: lower case, without "www.". */
export function webHost(url) {
  const host = WEB.exec(url)[1].toLowerCase();
  return host.slice(0, 4) === "www." ? host.slice(4) : host;
}

export function safeEmail(text) {
  return text && EMAIL.test(text) ? "mailto:" + text : null;
}

export function safeTel(text) {
  const digits = text ? String(text).replace(/[^0-9+]/g, "") : "";
  return digits.length >= MIN_PHONE_DIGITS ? "tel:" + digits : null;
}
