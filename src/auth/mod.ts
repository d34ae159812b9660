export {
  AllowCache,
  type AuthCallbackOptions,
  authUrl,
  createAuthorizer,
  createHttpAuthorizer,
  type HttpAuthorizer,
  type HttpAuthRequest,
} from "./callback.ts";
