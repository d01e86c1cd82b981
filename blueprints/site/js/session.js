// The signed-in session: Cognito's Identity Provider JSON 1.1 API, called with fetch.
//
// USER_PASSWORD_AUTH signs in; NEW_PASSWORD_REQUIRED (an invited user's first sign-in) is
// answered with RespondToAuthChallenge; REFRESH_TOKEN_AUTH renews the ID and access tokens
// before they expire; GlobalSignOut revokes the refresh token on sign-out.
//
// Expiry is measured on this browser's clock from when the tokens arrived (ExpiresIn), not
// from the tokens' `exp`, so a skewed device clock neither signs the user out early nor keeps
// a token past its life. The ID token's `iat` tells the service's time when it was issued:
// `clockOffset` (service time minus this browser's) lets deadlines be judged on the service's
// clock, the one its reminders and overdue notices follow.

const STORAGE_KEY = "taskmanagement.session";
/** Renew this long before the tokens expire. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

export class AuthError extends Error {
  constructor(message, type) {
    super(message);
    this.name = "AuthError";
    this.type = type || "";
  }
}

const FRIENDLY = {
  NotAuthorizedException: "Incorrect e-mail address or password.",
  UserNotFoundException: "Incorrect e-mail address or password.",
  PasswordResetRequiredException: "Your password must be reset before you can sign in. Ask an administrator.",
  UserNotConfirmedException: "Your account is not confirmed yet. Ask an administrator.",
  TooManyRequestsException: "Too many attempts. Wait a moment and try again.",
  LimitExceededException: "Too many attempts. Wait a moment and try again.",
};

/** The claims of a JWT (not verified: the API verifies; the app only reads e-mail and groups). */
export function claimsOf(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const padded = part + "=".repeat((4 - (part.length % 4)) % 4);
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return {};
  }
}

export class Session {
  constructor(config, { onEnded, onRenewed } = {}) {
    this.config = config;
    this.onEnded = onEnded || (() => {});
    this.tokens = null; // { idToken, accessToken, refreshToken, expiresAt }
    this.challenge = null; // { session, username }
    this.refreshing = null;
    this.timer = null;
    this.onRenewed = onRenewed || (() => {});
  }

  /** Service time minus this browser's time, in milliseconds (from the ID token's iat). */
  get clockOffset() {
    return this.tokens && Number.isFinite(this.tokens.clockOffset) ? this.tokens.clockOffset : 0;
  }

  get signedIn() {
    return this.tokens !== null;
  }

  get claims() {
    return this.tokens ? claimsOf(this.tokens.idToken) : {};
  }

  async call(target, body) {
    let response;
    try {
      response = await fetch(this.config.cognitoEndpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-amz-json-1.1",
          "X-Amz-Target": `AWSCognitoIdentityProviderService.${target}`,
        },
        body: JSON.stringify(body),
      });
    } catch {
      throw new AuthError("The sign-in service cannot be reached. Check your connection and try again.", "NetworkError");
    }
    let data = {};
    try {
      data = await response.json();
    } catch {
      data = {};
    }
    if (!response.ok) {
      const type = String(data.__type || data.code || "").split("#").pop();
      let message = data.message || data.Message || "";
      if (type === "NotAuthorizedException") {
        // Cognito's own words ("Incorrect username or password.", "User is disabled.", an expired
        // temporary password) are clear; only a disabled account gets a hint what to do.
        if (/disabled/i.test(message)) message = "Your account is disabled. Ask an administrator.";
        message = message || FRIENDLY[type];
      } else if (type === "InvalidPasswordException" || type === "InvalidParameterException") {
        message = message || "The password does not meet the rules.";
      } else if (FRIENDLY[type]) {
        message = FRIENDLY[type];
      }
      throw new AuthError(message || `Sign-in failed (${response.status}).`, type);
    }
    return data;
  }

  /** Signs in; answers "signed-in" or "new-password-required". */
  async signIn(email, password) {
    const result = await this.call("InitiateAuth", {
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: this.config.userPoolClientId,
      AuthParameters: { USERNAME: email, PASSWORD: password },
    });
    if (result.ChallengeName === "NEW_PASSWORD_REQUIRED") {
      this.challenge = { session: result.Session, username: email };
      return "new-password-required";
    }
    if (result.ChallengeName) {
      throw new AuthError(`This app cannot answer the sign-in challenge ${result.ChallengeName}.`, "UnsupportedChallenge");
    }
    this.accept(result.AuthenticationResult);
    return "signed-in";
  }

  /** Answers NEW_PASSWORD_REQUIRED with the user's new password. */
  async completeNewPassword(newPassword) {
    if (!this.challenge) throw new AuthError("Sign in again with your temporary password.", "NoChallenge");
    let result;
    try {
      result = await this.call("RespondToAuthChallenge", {
        ChallengeName: "NEW_PASSWORD_REQUIRED",
        ClientId: this.config.userPoolClientId,
        Session: this.challenge.session,
        ChallengeResponses: { USERNAME: this.challenge.username, NEW_PASSWORD: newPassword },
      });
    } catch (error) {
      if (error.type === "NotAuthorizedException" || error.type === "CodeMismatchException" || error.type === "ExpiredCodeException") {
        this.challenge = null;
        throw new AuthError("The sign-in session expired. Sign in again with your temporary password.", error.type);
      }
      throw error;
    }
    if (result.ChallengeName === "NEW_PASSWORD_REQUIRED") {
      this.challenge.session = result.Session;
      throw new AuthError("The new password was not accepted. Try another one.", "NewPasswordRequired");
    }
    this.challenge = null;
    this.accept(result.AuthenticationResult);
  }

  cancelChallenge() {
    this.challenge = null;
  }

  accept(result, keepRefreshToken) {
    if (!result || !result.IdToken) throw new AuthError("The sign-in service answered without tokens.", "NoTokens");
    const lifetime = Number(result.ExpiresIn) > 0 ? Number(result.ExpiresIn) * 1000 : 3600 * 1000;
    const issuedAt = Number(claimsOf(result.IdToken).iat);
    this.tokens = {
      clockOffset: Number.isFinite(issuedAt) && issuedAt > 0 ? issuedAt * 1000 - Date.now() : 0,
      idToken: result.IdToken,
      accessToken: result.AccessToken,
      refreshToken: result.RefreshToken || keepRefreshToken || (this.tokens && this.tokens.refreshToken) || null,
      expiresAt: Date.now() + lifetime,
    };
    this.save();
    this.schedule();
    this.onRenewed();
  }

  schedule() {
    clearTimeout(this.timer);
    if (!this.tokens || !this.tokens.refreshToken) return;
    const delay = Math.max(0, this.tokens.expiresAt - Date.now() - REFRESH_MARGIN_MS);
    this.timer = setTimeout(() => {
      this.refresh().catch(() => {});
    }, Math.min(delay, 2 ** 31 - 1));
  }

  /** Renews the tokens with the refresh token (one renewal at a time). */
  refresh() {
    if (this.refreshing) return this.refreshing;
    const refreshToken = this.tokens && this.tokens.refreshToken;
    if (!refreshToken) {
      this.end("Your session has ended. Sign in again.");
      return Promise.reject(new AuthError("Your session has ended. Sign in again.", "NoRefreshToken"));
    }
    this.refreshing = this.call("InitiateAuth", {
      AuthFlow: "REFRESH_TOKEN_AUTH",
      ClientId: this.config.userPoolClientId,
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    })
      .then((result) => this.accept(result.AuthenticationResult, refreshToken))
      .catch((error) => {
        if (error.type !== "NetworkError" && error.type !== "TooManyRequestsException") {
          this.end("Your session has ended. Sign in again.");
        }
        throw error;
      })
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  /** The ID token for an API call, renewed first when it is about to expire. */
  async idToken() {
    if (!this.tokens) throw new AuthError("You are signed out.", "SignedOut");
    if (Date.now() > this.tokens.expiresAt - 60 * 1000) await this.refresh();
    return this.tokens.idToken;
  }

  /** Signs out here and everywhere (GlobalSignOut revokes the refresh token). */
  async signOut() {
    const tokens = this.tokens;
    this.clear();
    if (tokens && tokens.accessToken) {
      try {
        await this.call("GlobalSignOut", { AccessToken: tokens.accessToken });
      } catch {
        // The tokens are gone from this browser either way; an expired access token cannot sign out elsewhere.
      }
    }
  }

  /** Ends the session without a sign-out call (the tokens no longer work). */
  end(reason) {
    if (!this.tokens) return;
    this.clear();
    this.onEnded(reason);
  }

  clear() {
    clearTimeout(this.timer);
    this.tokens = null;
    this.challenge = null;
    try {
      sessionStorage.removeItem(STORAGE_KEY);
    } catch {
      // storage unavailable
    }
  }

  save() {
    try {
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify(this.tokens));
    } catch {
      // storage unavailable: the session lasts as long as the page
    }
  }

  /** Picks the session of this tab up again after a reload. */
  restore() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || "null");
      if (saved && saved.idToken && saved.refreshToken && Number.isFinite(saved.expiresAt)) {
        this.tokens = saved;
        this.schedule();
        return true;
      }
    } catch {
      // ignore a damaged entry
    }
    return false;
  }
}
