import { createAgentHubClient, type AgentHubClient, type components } from '@agenthub/client';
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import { unwrap } from './problem';

export type UserMe = components['schemas']['UserMeResponseDto'];

/** A signed-in user. The JWT lives here, in memory only: a reload signs out. */
export interface Session {
  token: string;
  /** When the JWT expires (ms since the epoch); the API refuses it from then on. */
  expiresAt: number;
  user: UserMe;
  client: AgentHubClient;
}

interface SessionState {
  session: Session | null;
  signIn(email: string, password: string): Promise<void>;
  /** Forgets the token; `reason` is shown on the sign-in page (e.g. the session expired). */
  signOut(reason?: string): void;
  /** Why the last session ended, when it was not the user's choice. */
  signedOutBecause: string | null;
}

const SessionContext = createContext<SessionState | null>(null);

/** The API's origin: the console is served by the API itself, at /console. */
export const apiOrigin = (): string => window.location.origin;

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(null);
  const [signedOutBecause, setSignedOutBecause] = useState<string | null>(null);

  const signIn = useCallback(async (email: string, password: string) => {
    const anonymous = createAgentHubClient({ baseUrl: apiOrigin() });
    const token = await unwrap(anonymous.POST('/api/v1/auth/login', { body: { email, password } }));
    const client = createAgentHubClient({ baseUrl: apiOrigin(), token: token.access_token });
    const me = await unwrap(client.GET('/api/v1/auth/me'));
    if (me.kind !== 'user') throw new Error('The console is for users; agents use the API.');
    setSignedOutBecause(null);
    setSession({
      token: token.access_token,
      expiresAt: Date.now() + token.expires_in * 1000,
      user: me,
      client,
    });
  }, []);

  const signOut = useCallback((reason?: string) => {
    setSession(null);
    setSignedOutBecause(reason ?? null);
  }, []);

  // The JWT is not renewed: when it expires, the API refuses it, so sign out then and say why.
  useEffect(() => {
    if (!session) return;
    const timer = setTimeout(
      () => signOut('Your session expired: sign in again.'),
      Math.max(0, Math.min(session.expiresAt - Date.now(), 2 ** 31 - 1)),
    );
    return () => clearTimeout(timer);
  }, [session, signOut]);

  const value = useMemo(
    () => ({ session, signIn, signOut, signedOutBecause }),
    [session, signIn, signOut, signedOutBecause],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSessionState(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSessionState outside <SessionProvider>');
  return state;
}

/** The signed-in session; only pages behind the sign-in use it. */
export function useSession(): Session {
  const { session } = useSessionState();
  if (!session) throw new Error('useSession without a signed-in user');
  return session;
}

/** The typed REST client of the signed-in user. */
export const useClient = (): AgentHubClient => useSession().client;
