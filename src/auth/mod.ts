export {
  AllowCache,
  type AuthCallbackOptions,
  authUrl,
  createAuthorizer,
  createHttpAuthorizer,
  type HttpAuthorizer,
  type HttpAuthRequest,
  shownAuthUrl,
} from "./callback.ts";
