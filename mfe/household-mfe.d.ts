// Type declarations for hosts of <household-mfe>, served beside the bundle at
// /mfe/household-mfe.d.ts. Copy it into the host's sources (or reference it) to type the
// element, its events and its JSX use in React 19. The JSX part augments the "react"
// module, which must resolve from where this file lies: from the host's sources it does;
// from elsewhere map it in tsconfig.json ("paths": { "react": ["./node_modules/@types/react"] }).

/** `detail` of `household-mfe-error`: the failed answer's status and problem title. */
export interface HouseholdMfeErrorDetail {
  status: number;
  title: string;
}

/** The `<household-mfe>` custom element. */
export interface HouseholdMfeElement extends HTMLElement {
  /**
   * Returns a Promise of the host's Auth0 access token; the element calls it when it needs
   * a token (and again after `household-mfe-auth-required`). `null` until the host sets it.
   */
  accessTokenProvider: (() => Promise<string>) | null;
  /** A Promise of the internal token for the current household; concurrent calls share one exchange. */
  getInternalToken(): Promise<string>;
}

/** The element's attributes (strings, as HTML has them). */
export interface HouseholdMfeAttributes {
  /** The household to show (a UUID); required. */
  "household-id": string;
  /**
   * The API's origin (default: the page's own). The element sends the host's Auth0 token
   * there: `https:` only, or `http:` on loopback.
   */
  "api-base"?: string;
  theme?: "light" | "dark";
}

/** The element's events: all bubble and are composed. */
export interface HouseholdMfeEventMap {
  "household-mfe-ready": CustomEvent<void>;
  "household-mfe-error": CustomEvent<HouseholdMfeErrorDetail>;
  "household-mfe-auth-required": CustomEvent<void>;
}

/** `init()` from `/mfe/mfe.js` loads the wasm and defines the element (twice is harmless). */
export default function init(): Promise<unknown>;

declare global {
  interface HTMLElementTagNameMap {
    "household-mfe": HouseholdMfeElement;
  }
  // Bubbling and composed: a listener on any ancestor, or on document, receives them typed.
  interface HTMLElementEventMap extends HouseholdMfeEventMap {}
}

type HouseholdMfeJsxProps = HouseholdMfeAttributes & {
  ref?: import("react").Ref<HouseholdMfeElement>;
  key?: import("react").Key;
  id?: string;
  className?: string;
  style?: import("react").CSSProperties;
  /** React 19 sets properties on custom elements: pass the provider directly. */
  accessTokenProvider?: (() => Promise<string>) | null;
  "onhousehold-mfe-ready"?: (event: CustomEvent<void>) => void;
  "onhousehold-mfe-error"?: (event: CustomEvent<HouseholdMfeErrorDetail>) => void;
  "onhousehold-mfe-auth-required"?: (event: CustomEvent<void>) => void;
};

declare module "react" {
  namespace JSX {
    interface IntrinsicElements {
      "household-mfe": HouseholdMfeJsxProps;
    }
  }
}
