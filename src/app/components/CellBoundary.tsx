import { Component, type ErrorInfo, type ReactNode } from 'react';

/**
 * Keeps one broken view from taking the notebook down: an error while rendering `children` shows
 * a message in their place, with Try again, and the rest of the page goes on working.
 */
export class CellBoundary extends Component<{ name: string; children: ReactNode }, { error: Error | null }> {
  state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: unknown): { error: Error } {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`The ${this.props.name} view failed:`, error, info.componentStack);
  }

  render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div className="error-panel" role="alert" data-testid="cell-failed">
        <p>
          <strong>The {this.props.name} view could not be drawn:</strong> {error.message}
        </p>
        <p className="small">The rest of the notebook works. Saved runs that cannot be shown stay stored.</p>
        <button type="button" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </div>
    );
  }
}
