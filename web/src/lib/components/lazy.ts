/**
 * Components the channel view does not need at first paint, loaded on demand (util/lazy.svelte.ts):
 * dialogs, pickers, panels and menus. One registry so that any trigger can preload what it opens.
 */
import { lazy } from '$lib/util/lazy.svelte';

export const CreateGuildModal = lazy(() => import('./guilds/CreateGuildModal.svelte'));
export const JoinModal = lazy(() => import('./guilds/JoinModal.svelte'));
export const InviteModal = lazy(() => import('./guilds/InviteModal.svelte'));
export const CreateChannelModal = lazy(() => import('./guilds/CreateChannelModal.svelte'));
export const GuildSettings = lazy(() => import('./settings/GuildSettings.svelte'));
export const ChannelSettings = lazy(() => import('./settings/ChannelSettings.svelte'));
export const UserSettings = lazy(() => import('./settings/UserSettings.svelte'));
export const InstanceAdmin = lazy(() => import('./settings/InstanceAdmin.svelte'));
export const NotificationSettingsModal = lazy(() => import('./notifications/NotificationSettingsModal.svelte'));
export const UserNotificationsModal = lazy(() => import('./notifications/UserNotificationsModal.svelte'));
export const BotsModal = lazy(() => import('./bots/BotsModal.svelte'));
export const QuickSwitcher = lazy(() => import('./app/QuickSwitcher.svelte'));
export const UserPopover = lazy(() => import('./members/UserPopover.svelte'));
export const EmojiPicker = lazy(() => import('./chat/EmojiPicker.svelte'));
export const Lightbox = lazy(() => import('./files/Lightbox.svelte'));
export const GroupPicker = lazy(() => import('./dms/GroupPicker.svelte'));
export const PinsPanel = lazy(() => import('./chat/PinsPanel.svelte'));
export const SearchPanel = lazy(() => import('./chat/SearchPanel.svelte'));
export const VoiceUserMenu = lazy(() => import('./voice/VoiceUserMenu.svelte'));
export const IncomingCall = lazy(() => import('./dms/IncomingCall.svelte'));
export const DmChatView = lazy(() => import('./dms/DmChatView.svelte'));
