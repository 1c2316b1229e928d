import { useEffect, useState } from 'react';
import { calendarDateIn } from '../../shared/dates';

const today = () => calendarDateIn(new Date());

/**
 * Today's calendar date in the user's time zone. Rechecked every minute, so a
 * window label rolls over at midnight for a reviewer who leaves the app open.
 */
export function useToday(): string {
  const [date, setDate] = useState(today);
  useEffect(() => {
    const timer = window.setInterval(() => setDate(today()), 60_000);
    return () => window.clearInterval(timer);
  }, []);
  return date;
}
